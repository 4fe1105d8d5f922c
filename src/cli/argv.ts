import type { Command, Option } from 'commander';

/** Global flags (before the command word), parsed without commander for a fast start. */
export interface GlobalFlags {
  host?: string;
  /** `-c/--context`. */
  context?: string;
  version: boolean;
  help: boolean;
  /** Everything from the command word on. */
  rest: string[];
  error?: string;
}

const GLOBAL_VALUE = new Set(['-H', '--host', '-l', '--log-level', '--config', '-c', '--context', '--tlscacert', '--tlscert', '--tlskey']);
const GLOBAL_BOOL = new Set(['-D', '--debug', '--tls', '--tlsverify']);

/** Splits `berth [global flags] command ...`. */
export function parseGlobals(argv: string[]): GlobalFlags {
  const g: GlobalFlags = { version: false, help: false, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-v' || a === '--version') g.version = true;
    else if (a === '--help' || a === '-h') g.help = true;
    else if (GLOBAL_BOOL.has(a)) continue;
    else if (GLOBAL_VALUE.has(a)) {
      const v = argv[++i];
      if (v === undefined) return { ...g, error: `flag needs an argument: ${a}` };
      if (a === '-H' || a === '--host') g.host = v;
      if (a === '-c' || a === '--context') g.context = v;
    } else if (a.startsWith('--') && a.includes('=') && GLOBAL_VALUE.has(a.slice(0, a.indexOf('=')))) {
      if (a.startsWith('--host=')) g.host = a.slice('--host='.length);
      if (a.startsWith('--context=')) g.context = a.slice('--context='.length);
    } else if (a.startsWith('-H') && a.length > 2) g.host = a.slice(2).replace(/^=/, '');
    else if (a.startsWith('-') && a !== '-') return { ...g, error: `unknown flag: ${a}` };
    else {
      g.rest = argv.slice(i);
      break;
    }
  }
  return g;
}

/**
 * Rewrites pflag-style boolean values commander does not take: `--rm=false` → `--no-rm`
 * (when declared) or dropped, `--rm=true` → `--rm`. Stops at the first positional when the
 * command passes options through (so `run img --rm=false` stays the container's).
 */
export function normalizeBoolFlags(cmd: Command, args: string[]): string[] {
  const opts = cmd.options as readonly Option[];
  const byLong = new Map(opts.filter((o) => o.long).map((o) => [o.long!, o]));
  const byShort = new Map(opts.filter((o) => o.short).map((o) => [o.short!, o]));
  const takesValue = (o: Option | undefined): boolean => !!o && (o.required || o.optional);
  const passThrough = (cmd as unknown as { _passThroughOptions?: boolean })._passThroughOptions === true;
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      out.push(...args.slice(i));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(0, eq) : a;
      const o = byLong.get(name);
      if (eq > 0 && o && !takesValue(o)) {
        const v = a.slice(eq + 1).toLowerCase();
        if (v === 'true' || v === '1') out.push(name);
        else if (v === 'false' || v === '0') {
          const neg = `--no-${name.slice(2)}`;
          if (byLong.has(neg)) out.push(neg);
        } else out.push(a);
        continue;
      }
      out.push(a);
      if (eq < 0 && takesValue(o) && o!.required && i + 1 < args.length) out.push(args[++i]!);
      continue;
    }
    if (/^-[^-]=/.test(a)) {
      const o = byShort.get(a.slice(0, 2));
      const v = a.slice(3);
      if (o && !takesValue(o)) {
        if (/^(true|1)$/i.test(v)) out.push(a.slice(0, 2));
        else if (/^(false|0)$/i.test(v) && o.long && byLong.has(`--no-${o.long.slice(2)}`)) out.push(`--no-${o.long.slice(2)}`);
        else if (!/^(false|0)$/i.test(v)) out.push(a);
      } else out.push(a.slice(0, 2), v);
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      out.push(a);
      const last = byShort.get(`-${a[a.length - 1]}`);
      const onlyFlags = [...a.slice(1, -1)].every((c) => !takesValue(byShort.get(`-${c}`)));
      if (onlyFlags && last && last.required && i + 1 < args.length) out.push(args[++i]!);
      continue;
    }
    if (passThrough) {
      out.push(...args.slice(i));
      break;
    }
    out.push(a);
  }
  return out;
}

/** Repeatable flag collector for commander (`-e A -e B`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Integer flag parser (`-n 3`, `-t 10`). */
export function int(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`invalid argument "${value}": strconv.ParseInt: parsing "${value}": invalid syntax`);
  return n;
}
