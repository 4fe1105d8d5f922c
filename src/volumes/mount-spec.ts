import { existsSync } from 'node:fs';
import { posix } from 'node:path';
import type { MountSpec } from '../api/types.js';
import { invalid } from '../shared/errors.js';

/**
 * `-v` (HostConfig.Binds), `--mount` (HostConfig.Mounts) and `--volumes-from` parsed the way
 * dockerd's Linux parser does (moby volume/mounts/linux_parser.go), with its error wording.
 * Pure apart from the bind-source existence check of `--mount`.
 */

/** One user mount as the parser sees it (Docker's MountPoint before a volume is attached). */
export interface ParsedMountPoint {
  type: 'bind' | 'volume' | 'tmpfs';
  /** Volume name; '' for an anonymous volume (and for binds and tmpfs). */
  name: string;
  /** Host path of a bind ('' otherwise). */
  source: string;
  /** Clean absolute path in the container. */
  destination: string;
  rw: boolean;
  /** The `-v` mode field as written (`ro,rslave`); '' for `--mount`. */
  mode: string;
  /** Binds: the requested or default propagation (`rprivate`); '' for volumes and tmpfs. */
  propagation: string;
  /** Copy the image's content into an empty volume (not with `nocopy` / `volume-nocopy`). */
  copyData: boolean;
  /** Volume driver asked for ('' = the default, local). */
  driver: string;
  /** `--mount type=bind,bind-nonrecursive`. */
  nonRecursive: boolean;
  /** `--mount type=volume` driver options and labels (used when the volume is created). */
  driverOpts?: Record<string, string>;
  labels?: Record<string, string>;
  /** `-v /missing:/x` creates the host directory at start; `--mount` refuses it at create. */
  createSource: boolean;
}

const PROPAGATION = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];
const RW_MODES = ['ro', 'rw'];
const LABEL_MODES = ['z', 'Z'];
const CONSISTENCY = ['consistent', 'cached', 'delegated'];
const COPY_MODES = ['nocopy'];

const invalidSpec = (raw: string): string => `invalid volume specification: '${raw}'`;
const mountConfig = (type: string, why: string): Error => invalid(`invalid mount config for type "${type}": ${why}`);

/** Docker's linuxValidMountMode: known words, at most one of each kind. */
export function validMountMode(mode: string): boolean {
  if (mode === '') return true;
  const counts = [0, 0, 0, 0, 0];
  for (const o of mode.split(',')) {
    const i = RW_MODES.includes(o) ? 0 : LABEL_MODES.includes(o) ? 1 : PROPAGATION.includes(o) ? 2 : COPY_MODES.includes(o) ? 3 : CONSISTENCY.includes(o) ? 4 : -1;
    if (i < 0) return false;
    counts[i]++;
  }
  return counts.every((c) => c <= 1);
}

const hasPropagation = (mode: string): boolean => mode.split(',').some((o) => PROPAGATION.includes(o));
const propagationOf = (mode: string): string => mode.split(',').find((o) => PROPAGATION.includes(o)) ?? 'rprivate';

function cleanPath(p: string): string {
  return posix.normalize(p.replace(/\\/g, '/')).replace(/(.)\/+$/, '$1');
}

function checkTarget(type: string, target: string): void {
  if (!target) throw mountConfig(type, 'field Target must not be empty');
  if (cleanPath(target) === '/') throw mountConfig(type, "invalid specification: destination can't be '/'");
  if (!target.replace(/\\/g, '/').startsWith('/')) throw mountConfig(type, `invalid mount path: '${target}' mount path must be absolute`);
}

/**
 * `-v` entry: `/dst` (anonymous volume), `name:/dst[:mode]` (named volume) or
 * `/host:/dst[:mode]` (bind). Mode words: ro/rw, z/Z, a propagation, nocopy, a consistency.
 *
 * @example parseBindSpec('data:/var/lib/app:ro') // { type: 'volume', name: 'data', destination: '/var/lib/app', rw: false, ... }
 */
export function parseBindSpec(raw: string): ParsedMountPoint {
  const arr = raw.split(':');
  if (arr[0] === '' || arr.length > 3) throw invalid(invalidSpec(raw));
  let source = '';
  let target: string;
  let mode = '';
  if (arr.length === 1) target = arr[0]!;
  else if (arr.length === 2) {
    // `/foo:rw` is a destination with a mode: volumes cannot have a mode without a source
    if (validMountMode(arr[1]!)) throw invalid(invalidSpec(raw));
    [source, target] = arr as [string, string];
  } else [source, target, mode] = arr as [string, string, string];
  if (!validMountMode(mode)) throw invalid(`invalid mode: ${mode}`);
  const type = source.startsWith('/') ? 'bind' : 'volume';
  const rw = !mode.split(',').includes('ro');
  try {
    checkTarget(type, target);
    if (type === 'volume' && hasPropagation(mode)) throw mountConfig(type, 'field BindOptions must not be specified');
    if (type === 'volume' && source === '' && !rw) throw mountConfig(type, 'must not set ReadOnly mode when using anonymous volumes');
  } catch (err) {
    throw invalid(`${invalidSpec(raw)}: ${(err as Error).message}`);
  }
  const bind = type === 'bind';
  return {
    type,
    name: bind ? '' : source,
    source: bind ? cleanPath(source) : '',
    destination: cleanPath(target),
    rw,
    mode,
    propagation: bind ? propagationOf(mode) : '',
    copyData: !mode.split(',').includes('nocopy'),
    driver: '',
    nonRecursive: false,
    createSource: bind,
  };
}

/**
 * `--mount` entry (HostConfig.Mounts), validated like dockerd: a bind source must exist.
 *
 * @example parseMountEntry({ Type: 'volume', Source: 'data', Target: '/d', VolumeOptions: { NoCopy: true } })
 */
export function parseMountEntry(m: MountSpec, exists: (path: string) => boolean = existsSync): ParsedMountPoint {
  const type = m.Type;
  checkTarget(type, m.Target);
  const base = { name: '', source: '', destination: cleanPath(m.Target), rw: m.ReadOnly !== true, mode: '', propagation: '', copyData: true, driver: '', nonRecursive: false, createSource: false };
  switch (type) {
    case 'bind': {
      if (!m.Source) throw mountConfig(type, 'field Source must not be empty');
      const prop = m.BindOptions?.Propagation || '';
      if (prop && !PROPAGATION.includes(prop)) throw mountConfig(type, `invalid propagation mode: ${prop}`);
      if (m.VolumeOptions) throw mountConfig(type, 'field VolumeOptions must not be specified');
      if (!m.Source.replace(/\\/g, '/').startsWith('/')) throw mountConfig(type, `invalid mount path: '${m.Source}' mount path must be absolute`);
      if (!exists(m.Source)) throw mountConfig(type, `bind source path does not exist: ${m.Source}`);
      return { ...base, type, source: cleanPath(m.Source), propagation: prop || 'rprivate', nonRecursive: m.BindOptions?.NonRecursive === true };
    }
    case 'volume': {
      if (m.BindOptions) throw mountConfig(type, 'field BindOptions must not be specified');
      if (!m.Source && m.ReadOnly) throw mountConfig(type, 'must not set ReadOnly mode when using anonymous volumes');
      const vo = m.VolumeOptions;
      return {
        ...base,
        type,
        name: m.Source ?? '',
        copyData: vo?.NoCopy !== true,
        driver: vo?.DriverConfig?.Name ?? '',
        driverOpts: vo?.DriverConfig?.Options ?? undefined,
        labels: vo?.Labels ?? undefined,
      };
    }
    case 'tmpfs':
      if (m.BindOptions) throw mountConfig(type, 'field BindOptions must not be specified');
      if (m.Source) throw mountConfig(type, 'field Source must not be specified');
      return { ...base, type };
    default:
      throw mountConfig(type, 'mount type unknown');
  }
}

/**
 * `--volumes-from container[:mode]`: the mode may only say ro/rw (and z/Z); no propagation
 * and no copy mode. Returns the container reference and whether its mounts stay writable.
 *
 * @example parseVolumesFrom('data:ro') // { ref: 'data', rw: false }
 */
export function parseVolumesFrom(spec: string): { ref: string; rw: boolean } {
  if (spec === '') throw invalid('volumes-from specification cannot be an empty string');
  const i = spec.indexOf(':');
  const ref = i < 0 ? spec : spec.slice(0, i);
  const mode = i < 0 ? '' : spec.slice(i + 1);
  if (mode === '') return { ref, rw: true };
  if (!validMountMode(mode) || hasPropagation(mode) || mode.split(',').includes('nocopy')) throw invalid(`invalid mode: ${mode}`);
  return { ref, rw: !mode.split(',').includes('ro') };
}
