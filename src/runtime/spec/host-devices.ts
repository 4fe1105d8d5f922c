import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { posix } from 'node:path';
import { EngineError } from '../../shared/errors.js';
import type { OciLinuxDevice } from './oci-types.js';

/** Directories under /dev that are never copied into a container (they are mounted fresh). */
const SKIP_DIRS = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

const S_IFMT = 0o170000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;

/** Linux dev_t split (glibc's gnu_dev_major / gnu_dev_minor). */
export function splitDev(rdev: bigint): { major: number; minor: number } {
  const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
  const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
  return { major, minor };
}

/**
 * Every device node under `dir` (default /dev), as OCI linux.devices entries: what Docker
 * gives a privileged container, and the lookup table for HostConfig.Devices.
 */
export async function listHostDevices(dir = '/dev'): Promise<OciLinuxDevice[]> {
  const out: OciLinuxDevice[] = [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return out;
  }
  for (const name of names.sort()) {
    const path = posix.join(dir, name);
    const st = await lstat(path, { bigint: true }).catch(() => undefined);
    if (!st) continue;
    if (st.isDirectory()) {
      if (!SKIP_DIRS.has(name)) out.push(...(await listHostDevices(path)));
      continue;
    }
    if (path === '/dev/console') continue;
    const fmt = Number(st.mode) & S_IFMT;
    const type = fmt === S_IFCHR ? 'c' : fmt === S_IFBLK ? 'b' : fmt === S_IFIFO ? 'p' : undefined;
    if (!type) continue;
    const { major, minor } = splitDev(st.rdev);
    out.push({ type, path, major, minor, fileMode: Number(st.mode) & 0o7777, uid: Number(st.uid), gid: Number(st.gid) });
  }
  return out;
}

/** One node as an OCI device, or undefined when `path` is not a char/block/fifo device. */
async function deviceAt(path: string): Promise<OciLinuxDevice | undefined> {
  const st = await lstat(path, { bigint: true });
  const fmt = Number(st.mode) & S_IFMT;
  const type = fmt === S_IFCHR ? 'c' : fmt === S_IFBLK ? 'b' : fmt === S_IFIFO ? 'p' : undefined;
  if (!type) return undefined;
  const { major, minor } = splitDev(st.rdev);
  return { type, path, major, minor, fileMode: Number(st.mode) & 0o7777, uid: Number(st.uid), gid: Number(st.gid) };
}

/** Every device node under `dir`, recursively (dockerd walks a directory given to `--device`). */
async function walkDevices(dir: string): Promise<OciLinuxDevice[]> {
  const out: OciLinuxDevice[] = [];
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names.sort()) {
    const path = posix.join(dir, name);
    const st = await lstat(path).catch(() => undefined);
    if (!st) continue;
    if (st.isDirectory()) out.push(...(await walkDevices(path)));
    else {
      const d = await deviceAt(path).catch(() => undefined);
      if (d) out.push(d);
    }
  }
  return out;
}

/**
 * The host devices `--device <pathOnHost>` names, as dockerd's devicesFromPath finds them:
 * a symlink is followed, a device node is one entry, a directory gives every device below
 * it. Entry paths keep `pathOnHost` as their prefix (so the caller can map them to the
 * container path). Throws dockerd's `error gathering device information ...` otherwise.
 *
 * @example await devicesAt('/dev/null') // [{ type: 'c', path: '/dev/null', major: 1, minor: 3, ... }]
 */
export async function devicesAt(pathOnHost: string): Promise<OciLinuxDevice[]> {
  const fail = (why: string): EngineError =>
    new EngineError('invalid-argument', `error gathering device information while adding custom device "${pathOnHost}": ${why}`);
  let resolved = pathOnHost;
  const link = await lstat(pathOnHost).catch(() => undefined);
  if (link?.isSymbolicLink()) resolved = await realpath(pathOnHost).catch(() => pathOnHost);
  let one: OciLinuxDevice | undefined;
  try {
    one = await deviceAt(resolved);
  } catch (err) {
    throw fail((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message);
  }
  if (one) return [{ ...one, path: pathOnHost }];
  const st = await stat(resolved).catch(() => undefined);
  const found = st?.isDirectory() ? await walkDevices(resolved) : [];
  if (found.length === 0) throw fail('not a device node');
  return found.map((d) => ({ ...d, path: pathOnHost + d.path.slice(resolved.length) }));
}
