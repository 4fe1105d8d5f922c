import { readFileSync, realpathSync } from 'node:fs';
import { posix } from 'node:path';
import { EngineError } from '../../shared/errors.js';
import type { OciMount } from './oci-types.js';

/** /proc files a bind may cover (lxcfs), as runc allows them. */
const VALID_PROC_MOUNTS = [
  '/proc/cpuinfo',
  '/proc/diskstats',
  '/proc/meminfo',
  '/proc/stat',
  '/proc/swaps',
  '/proc/uptime',
  '/proc/loadavg',
  '/proc/slabinfo',
  '/proc/net/dev',
  '/proc/sys/kernel/ns_last_pid',
];

/**
 * runc's checkProcMount, applied to user mounts before the runtime sees them: nothing may be
 * mounted inside /proc (except the lxcfs files), and /proc itself only by procfs.
 * Throws runc's wording: `error mounting "<src>" to rootfs at "/proc/x": "<rootfs>/proc/x"
 * cannot be mounted because it is inside /proc`.
 */
export function checkProcMounts(mounts: (OciMount & { destination: string })[], rootfs: string): void {
  for (const m of mounts) {
    const dest = posix.normalize(m.destination);
    if (dest !== '/proc' && !dest.startsWith('/proc/')) continue;
    if (VALID_PROC_MOUNTS.includes(dest)) continue;
    const full = JSON.stringify(posix.join(rootfs, dest));
    const src = m.source ?? m.type ?? '';
    if (dest === '/proc') {
      if (m.type === 'proc' || (m.type === 'bind' && src === '/proc')) continue;
      throw new EngineError('internal', `error mounting ${JSON.stringify(src)} to rootfs at "/proc": ${full} cannot be mounted because it is not of type proc`);
    }
    throw new EngineError('internal', `error mounting ${JSON.stringify(src)} to rootfs at ${JSON.stringify(dest)}: ${full} cannot be mounted because it is inside /proc`);
  }
}

interface MountInfo {
  mountPoint: string;
  optional: string[];
}

function parseMountInfo(text: string): MountInfo[] {
  const out: MountInfo[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f.length < 7) continue;
    const sep = f.indexOf('-', 6);
    const mountPoint = f[4]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    out.push({ mountPoint, optional: f.slice(6, sep < 0 ? undefined : sep) });
  }
  return out;
}

/** The mount holding `path` (the longest mount point above it). */
function sourceMount(path: string, table: MountInfo[]): MountInfo | undefined {
  let best: MountInfo | undefined;
  for (const m of table) {
    const mp = m.mountPoint;
    const covers = mp === '/' || path === mp || path.startsWith(`${mp}/`);
    if (covers && (!best || mp.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

/**
 * dockerd's ensureShared / ensureSharedOrSlave: a bind with shared propagation needs a
 * shared source mount, one with slave propagation a shared or slave one.
 * Throws `path /src is mounted on / but it is not a shared mount`.
 */
export function checkBindPropagation(mounts: (OciMount & { destination: string })[], readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): void {
  let table: MountInfo[] | undefined;
  for (const m of mounts) {
    if (m.type !== 'bind' || !m.source) continue;
    const opts = m.options ?? [];
    const shared = opts.some((o) => o === 'shared' || o === 'rshared');
    const slave = opts.some((o) => o === 'slave' || o === 'rslave');
    if (!shared && !slave) continue;
    table ??= parseMountInfo(readFile('/proc/self/mountinfo'));
    let real = m.source;
    try {
      real = realpathSync(m.source);
    } catch {
      // checked by the runtime
    }
    const mnt = sourceMount(real, table);
    if (!mnt) continue;
    const isShared = mnt.optional.some((o) => o.startsWith('shared:'));
    const isSlave = mnt.optional.some((o) => o.startsWith('master:'));
    if (shared && !isShared) throw new EngineError('internal', `path ${m.source} is mounted on ${mnt.mountPoint} but it is not a shared mount`);
    if (slave && !isShared && !isSlave) throw new EngineError('internal', `path ${m.source} is mounted on ${mnt.mountPoint} but it is not a shared or slave mount`);
  }
}
