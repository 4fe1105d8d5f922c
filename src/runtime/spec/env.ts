/** Docker's default PATH for Linux containers. */
export const DEFAULT_PATH_ENV = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Docker's ReplaceOrAppendEnvValues: an override `K=V` replaces `K=...`, a bare `K` removes K,
 * anything new is appended. Order of `base` is kept.
 *
 * @example replaceOrAppendEnv(['PATH=/bin', 'A=1'], ['A=2', 'B=3']) // ['PATH=/bin', 'A=2', 'B=3']
 */
export function replaceOrAppendEnv(base: readonly string[], overrides: readonly string[]): string[] {
  const out = [...base];
  const keyOf = (kv: string): string => (kv.includes('=') ? kv.slice(0, kv.indexOf('=')) : kv);
  for (const kv of overrides) {
    const key = keyOf(kv);
    const idx = out.findIndex((e) => keyOf(e) === key);
    if (!kv.includes('=')) {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = kv;
    else out.push(kv);
  }
  return out;
}

/** The container environment exactly as dockerd builds it: PATH, HOSTNAME, TERM (tty), then Config.Env. */
export function containerEnv(hostname: string, tty: boolean, env: readonly string[] | null | undefined): string[] {
  const base = [`PATH=${DEFAULT_PATH_ENV}`, `HOSTNAME=${hostname}`];
  if (tty) base.push('TERM=xterm');
  return replaceOrAppendEnv(base, env ?? []);
}
