import { mkdirSync, readFileSync } from 'node:fs';
import { MNT_DETACH, MS, mount, umount2, umount2Async } from '../shared/libc.js';
import type { Mount } from './types.js';

/**
 * The only module that mounts. Turns Mount data into mount(2) calls.
 * Overlay lowerdir lists longer than a page are the caller's problem (snapshotter keeps
 * them short by using relative paths only when needed).
 */
const FLAG_OPTIONS: Record<string, [set: boolean, flag: number]> = {
  ro: [true, MS.RDONLY],
  rw: [false, MS.RDONLY],
  nosuid: [true, MS.NOSUID],
  suid: [false, MS.NOSUID],
  nodev: [true, MS.NODEV],
  dev: [false, MS.NODEV],
  noexec: [true, MS.NOEXEC],
  exec: [false, MS.NOEXEC],
  bind: [true, MS.BIND],
  rbind: [true, MS.BIND | MS.REC],
  remount: [true, MS.REMOUNT],
};

export function parseMountOptions(options: string[]): { flags: number; data: string } {
  let flags = 0;
  const data: string[] = [];
  for (const o of options) {
    const f = FLAG_OPTIONS[o];
    if (f) flags = f[0] ? flags | f[1] : flags & ~f[1];
    else data.push(o);
  }
  return { flags, data: data.join(',') };
}

export function mountAll(mounts: Mount[], target: string): void {
  mkdirSync(target, { recursive: true });
  for (const m of mounts) {
    const { flags, data } = parseMountOptions(m.options);
    const type = m.type === 'bind' ? null : m.type;
    mount(m.source, target, type, flags, data || null);
    if (m.type === 'bind' && flags & MS.RDONLY) mount('', target, null, flags | MS.REMOUNT | MS.BIND, null);
  }
}

/** Unmount target (lazily if busy); no error when it is not mounted. */
export function unmount(target: string): void {
  try {
    umount2(target, 0);
  } catch (err) {
    afterUnmountError(target, err);
  }
}

/** unmount() off the event loop (see umount2Async); same outcomes. */
export async function unmountAsync(target: string): Promise<void> {
  try {
    await umount2Async(target, 0);
  } catch (err) {
    afterUnmountError(target, err);
  }
}

/** Not mounted: done; busy: detach lazily; anything else is the caller's error. */
function afterUnmountError(target: string, err: unknown): void {
  const code = (err as { code?: string }).code;
  if (code === 'EINVAL' || code === 'ENOENT') return;
  if (code === 'EBUSY') {
    umount2(target, MNT_DETACH);
    return;
  }
  throw err;
}

export function isMountPoint(target: string): boolean {
  const lines = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  return lines.some((l) => l.split(' ')[4] === target);
}
