import type { CliContext } from '../context.js';

/** Asks a y/N question on stdout and reads one line of stdin; only `y`/`Y` confirms (docker 28's prompt.Confirm). */
export async function confirm(ctx: CliContext, question: string): Promise<boolean> {
  ctx.out(question);
  const line = await new Promise<string>((resolve) => {
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString('utf8');
      if (buf.includes('\n')) done();
    };
    const done = (): void => {
      ctx.stdin.off('data', onData);
      ctx.stdin.off('end', done);
      ctx.stdin.pause();
      resolve(buf.split('\n')[0] ?? '');
    };
    ctx.stdin.on('data', onData);
    ctx.stdin.on('end', done);
  });
  return line.trim().toLowerCase() === 'y';
}

/** `--filter k=v` flags → the wire's filter map. */
export function parseFilterFlags(flags: string[] | undefined): Record<string, string[]> | undefined {
  if (!flags || flags.length === 0) return undefined;
  const out: Record<string, string[]> = {};
  for (const f of flags) {
    const i = f.indexOf('=');
    if (i <= 0) throw new Error(`bad format of filter (expected name=value)`);
    (out[f.slice(0, i).toLowerCase().trim()] ??= []).push(f.slice(i + 1));
  }
  return out;
}
