/** Build args Docker passes without an ARG declaration (kept out of the history). */
export const PROXY_ARGS = new Set([
  'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy',
]);

/**
 * The args of one stage: declared ARGs with their values (a `--build-arg` wins over the
 * default), the proxy args given on the command line, and which `--build-arg`s were used.
 *
 * @example
 *   const a = new StageArgs({ V: '2' }, used);
 *   a.declare('V', '1'); a.values(); // { V: '2' }
 */
export class StageArgs {
  private readonly declared = new Map<string, string | undefined>();

  constructor(
    private readonly buildArgs: Record<string, string | null>,
    private readonly used: Set<string>,
  ) {}

  declare(name: string, dflt: string | undefined): void {
    const given = this.buildArgs[name];
    if (given !== undefined && given !== null) {
      this.used.add(name);
      this.declared.set(name, given);
    } else {
      this.declared.set(name, dflt);
    }
  }

  /** Declared args with a value, in declaration order. */
  values(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.declared) if (v !== undefined) out[k] = v;
    return out;
  }

  /** Proxy args from `--build-arg` (they reach RUN but never the history). */
  proxies(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.buildArgs)) {
      if (PROXY_ARGS.has(k) && v !== null && !this.declared.has(k)) {
        out[k] = v;
        this.used.add(k);
      }
    }
    return out;
  }
}

/** `KEY=value` list to a map (first `=` splits). */
export function envMap(env: string[] | null | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of env ?? []) {
    const i = e.indexOf('=');
    if (i < 0) m.set(e, '');
    else m.set(e.slice(0, i), e.slice(i + 1));
  }
  return m;
}

/** Sets `key=value` in an env list, replacing an earlier value in place (Docker's order). */
export function setEnv(env: string[], key: string, value: string): string[] {
  const out = [...env];
  const i = out.findIndex((e) => e === key || e.startsWith(`${key}=`));
  if (i >= 0) out[i] = `${key}=${value}`;
  else out.push(`${key}=${value}`);
  return out;
}
