import { posix } from 'node:path';
import { EngineError } from '../../shared/errors.js';
import type { MountSpec } from '../../api/types.js';
import type { OciMount } from './oci-types.js';
import { mergeTmpfsOptions } from './tmpfs-options.js';

const PROPAGATION = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];
const DEFAULT_TMPFS = ['noexec', 'nosuid', 'nodev'];

/** A user-requested mount, ready for the spec. */
export interface UserMount extends OciMount {
  destination: string;
}

/**
 * `-v src:dst[:opts]` (HostConfig.Binds) -> bind mount. Only host paths for now; named and
 * anonymous volumes are not implemented yet.
 *
 * @example parseBind('/srv/data:/data:ro') // { destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind','rprivate','ro'] }
 */
export function parseBind(spec: string): UserMount {
  const parts = spec.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) {
    throw new EngineError('invalid-argument', `invalid volume specification: '${spec}'`);
  }
  if (parts.length === 1) {
    throw new EngineError('not-implemented', `anonymous volumes are not supported yet: '${spec}'`);
  }
  const [src, dst, mode = ''] = parts as [string, string, string?];
  if (!src.startsWith('/')) {
    throw new EngineError('not-implemented', `named volumes are not supported yet: '${src}'`);
  }
  checkTarget(dst, spec);
  let readOnly = false;
  let propagation = 'rprivate';
  for (const m of mode === '' ? [] : mode.split(',')) {
    if (m === 'ro') readOnly = true;
    else if (m === 'rw') readOnly = false;
    else if (PROPAGATION.includes(m)) propagation = m;
    else if (m === 'z' || m === 'Z' || m === 'nocopy') continue;
    else throw new EngineError('invalid-argument', `invalid mode: ${mode}`);
  }
  return bindMount(posix.normalize(src), dst, readOnly, propagation, false);
}

/** HostConfig.Mounts entry (`--mount`) -> spec mount; type bind and tmpfs only for now. */
export function parseMountSpec(m: MountSpec): UserMount {
  const type = m.Type;
  if (!m.Target) throw new EngineError('invalid-argument', `invalid mount config for type "${type}": field Target must not be empty`);
  checkTarget(m.Target, m.Target, type);
  switch (type) {
    case 'bind': {
      if (!m.Source) throw new EngineError('invalid-argument', 'invalid mount config for type "bind": field Source must not be empty');
      if (!m.Source.startsWith('/')) {
        throw new EngineError('invalid-argument', `invalid mount config for type "bind": invalid mount path: '${m.Source}' mount path must be absolute`);
      }
      const prop = m.BindOptions?.Propagation || 'rprivate';
      if (!PROPAGATION.includes(prop)) throw new EngineError('invalid-argument', `invalid propagation mode: ${prop}`);
      return bindMount(posix.normalize(m.Source), m.Target, m.ReadOnly === true, prop, m.BindOptions?.NonRecursive === true);
    }
    case 'tmpfs': {
      if (m.Source) throw new EngineError('invalid-argument', 'invalid mount config for type "tmpfs": field Source must not be specified');
      const opts = [...DEFAULT_TMPFS];
      if (m.ReadOnly) opts.push('ro');
      if (m.TmpfsOptions?.SizeBytes) opts.push(`size=${m.TmpfsOptions.SizeBytes}`);
      if (m.TmpfsOptions?.Mode) opts.push(`mode=${m.TmpfsOptions.Mode.toString(8)}`);
      return { destination: cleanTarget(m.Target), type: 'tmpfs', source: 'tmpfs', options: mergeTmpfsOptions(opts) };
    }
    case 'volume':
      throw new EngineError('not-implemented', `volume mounts are not supported yet: '${m.Source ?? m.Target}'`);
    default:
      throw new EngineError('invalid-argument', `mount type unknown: "${type}"`);
  }
}

/** HostConfig.Tmpfs entry (`--tmpfs /run:rw,size=1m`) -> tmpfs mount with Docker's defaults merged. */
export function parseTmpfs(target: string, data: string): UserMount {
  checkTarget(target, target, 'tmpfs');
  const opts = mergeTmpfsOptions([...DEFAULT_TMPFS, ...(data ? data.split(',') : [])]);
  return { destination: cleanTarget(target), type: 'tmpfs', source: 'tmpfs', options: opts };
}

function bindMount(src: string, dst: string, ro: boolean, propagation: string, nonRecursive: boolean): UserMount {
  const options = [nonRecursive ? 'bind' : 'rbind', propagation];
  if (ro) options.push('ro');
  return { destination: cleanTarget(dst), type: 'bind', source: src, options };
}

function checkTarget(dst: string, spec: string, type = 'bind'): void {
  if (!dst.startsWith('/')) {
    throw new EngineError('invalid-argument', `invalid volume specification: '${spec}': invalid mount config for type "${type}": invalid mount path: '${dst}' mount path must be absolute`);
  }
  if (cleanTarget(dst) === '/') {
    throw new EngineError('invalid-argument', `invalid volume specification: '${spec}': invalid mount config for type "${type}": invalid specification: destination can't be '/'`);
  }
}

function cleanTarget(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}
