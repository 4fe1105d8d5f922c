import { EngineError } from '../../shared/errors.js';

/** What HostConfig.SecurityOpt asks for. */
export interface SecurityOptions {
  noNewPrivileges: boolean;
  /** 'default' (builtin profile), 'unconfined', or a Docker-format profile as JSON text / a file path. */
  seccomp: { kind: 'default' } | { kind: 'unconfined' } | { kind: 'json'; text: string } | { kind: 'file'; path: string };
  apparmor?: string;
  labels: string[];
}

/**
 * Parse SecurityOpt entries the way dockerd does (`key=value`, legacy `key:value`,
 * bare `no-new-privileges`). The docker CLI inlines `seccomp=<file>` as JSON text; other
 * clients may send a path, which is read later.
 *
 * @example parseSecurityOpts(['no-new-privileges', 'seccomp=unconfined'])
 */
export function parseSecurityOpts(opts: readonly string[] | null | undefined): SecurityOptions {
  const out: SecurityOptions = { noNewPrivileges: false, seccomp: { kind: 'default' }, labels: [] };
  for (const opt of opts ?? []) {
    if (opt === 'no-new-privileges') {
      out.noNewPrivileges = true;
      continue;
    }
    if (opt === 'disable') {
      out.labels.push('disable');
      continue;
    }
    const sep = opt.includes('=') ? '=' : opt.includes(':') ? ':' : '';
    if (sep === '') throw new EngineError('invalid-argument', `invalid --security-opt 1: ${JSON.stringify(opt)}`);
    const at = opt.indexOf(sep);
    const key = opt.slice(0, at);
    const value = opt.slice(at + 1);
    switch (key) {
      case 'label':
        out.labels.push(value);
        break;
      case 'apparmor':
        out.apparmor = value;
        break;
      case 'seccomp':
        out.seccomp = parseSeccompValue(value);
        break;
      case 'no-new-privileges': {
        const b = parseBool(value);
        if (b === undefined) throw new EngineError('invalid-argument', `invalid --security-opt 2: ${JSON.stringify(opt)}`);
        out.noNewPrivileges = b;
        break;
      }
      default:
        throw new EngineError('invalid-argument', `invalid --security-opt 2: ${JSON.stringify(opt)}`);
    }
  }
  return out;
}

function parseSeccompValue(value: string): SecurityOptions['seccomp'] {
  const v = value.trim();
  if (v === '' || v === 'builtin') return { kind: 'default' };
  if (v === 'unconfined') return { kind: 'unconfined' };
  if (v.startsWith('{')) return { kind: 'json', text: v };
  return { kind: 'file', path: v };
}

/** Go's strconv.ParseBool. */
function parseBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}
