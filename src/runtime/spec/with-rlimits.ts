import { EngineError } from '../../shared/errors.js';
import type { OciRlimit } from './oci-types.js';
import type { SpecMutator } from './spec-input.js';

/** Ulimit names Docker accepts (`--ulimit nofile=1024:2048`). */
export const ULIMIT_NAMES: readonly string[] = [
  'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc',
  'rss', 'rtprio', 'rttime', 'sigpending', 'stack',
];

/**
 * HostConfig.Ulimits -> process.rlimits. Without CAP_SYS_RESOURCE a hard limit above the
 * daemon's own cannot be granted, so nofile above input.hostRlimitNofile.hard is refused
 * with a clear error instead of a runtime failure. No Ulimits => limits are inherited.
 */
export const withRlimits: SpecMutator = (spec, input) => {
  const rlimits: OciRlimit[] = [];
  for (const u of input.hostConfig.Ulimits ?? []) {
    const name = u.Name.toLowerCase();
    if (!ULIMIT_NAMES.includes(name)) throw new EngineError('invalid-argument', `invalid ulimit type: ${u.Name}`);
    if (u.Soft > u.Hard) {
      throw new EngineError('invalid-argument', `ulimit soft limit must be less than or equal to hard limit: ${u.Soft} > ${u.Hard}`);
    }
    const host = input.hostRlimitNofile;
    if (name === 'nofile' && host && u.Hard > host.hard) {
      throw new EngineError(
        'invalid-argument',
        `ulimit nofile: hard limit ${u.Hard} exceeds the daemon's limit ${host.hard}; root lacks CAP_SYS_RESOURCE on this host`,
      );
    }
    const type = `RLIMIT_${name.toUpperCase()}`;
    const entry = { type, soft: u.Soft, hard: u.Hard };
    const at = rlimits.findIndex((r) => r.type === type);
    if (at >= 0) rlimits[at] = entry;
    else rlimits.push(entry);
  }
  if (rlimits.length > 0) spec.process.rlimits = rlimits;
  else delete spec.process.rlimits;
};
