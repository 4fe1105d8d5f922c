import { lstat, readdir } from 'node:fs/promises';
import { posix } from 'node:path';
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
