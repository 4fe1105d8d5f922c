import type { HostConfig, MountPoint, MountSpec } from '../api/types.js';

/** A parsed user mount as the spec module returns it. */
export interface ParsedMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

export interface MountParsers {
  parseBind(spec: string): ParsedMount;
  parseMountSpec(m: MountSpec): ParsedMount;
}

const PROPAGATION = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

function toPoint(m: ParsedMount, mode: string): MountPoint {
  const opts = m.options ?? [];
  const bind = m.type === 'bind';
  return {
    Type: m.type ?? 'bind',
    Source: bind ? (m.source ?? '') : '',
    Destination: m.destination,
    Mode: mode,
    RW: !opts.includes('ro'),
    Propagation: bind ? (opts.find((o) => PROPAGATION.includes(o)) ?? 'rprivate') : '',
  };
}

/** Inspect/list `Mounts` for -v binds and --mount entries (unparseable entries are skipped). */
export function mountPoints(h: HostConfig, parse: MountParsers): MountPoint[] {
  const out: MountPoint[] = [];
  for (const b of h.Binds ?? []) {
    try {
      out.push(toPoint(parse.parseBind(b), b.split(':')[2] ?? ''));
    } catch {
      // reported at create time
    }
  }
  for (const m of h.Mounts ?? []) {
    try {
      out.push(toPoint(parse.parseMountSpec(m), ''));
    } catch {
      // reported at create time
    }
  }
  return out;
}
