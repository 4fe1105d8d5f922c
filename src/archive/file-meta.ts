import { chmodSync, fchmodSync, fchownSync, futimesSync, lchownSync, lutimesSync } from 'node:fs';
import { chmod, lchown, lutimes } from 'node:fs/promises';
import { lsetxattr } from '../shared/libc.js';
import type { TarHeader } from './tar-header.js';

const UMASK = ((): number => {
  try {
    return process.umask(); // a read: worker threads may not set it
  } catch {
    return 0o022;
  }
})();
const UID = process.getuid?.() ?? 0;
const GID = process.getgid?.() ?? 0;

/** Whether a create with `mode` already yields exactly `mode` (no chown, umask does not bite). */
function modeIsExact(mode: number, chowned: boolean): boolean {
  return !chowned && (mode & ~UMASK) === mode && (mode & 0o7000) === 0;
}

/** xattrs from the tar; overlay's own trusted.overlay.* are never taken from a layer. */
export function setXattrs(path: string, xattrs: Map<string, Buffer>): void {
  for (const [name, value] of xattrs) {
    if (name.startsWith('trusted.overlay.')) continue;
    try {
      lsetxattr(path, name, value);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (name.startsWith('security.') || code === 'EPERM' || code === 'EOPNOTSUPP' || code === 'ENOTSUP') continue;
      throw err;
    }
  }
}

/** Owner, mode (after chown: chown clears setuid), xattrs and times, by path (never following symlinks). */
export async function applyMeta(
  path: string,
  h: TarHeader,
  opts: { symlink?: boolean; times?: boolean; existed?: boolean } = {},
): Promise<void> {
  const chowned = h.uid !== UID || h.gid !== GID;
  if (chowned) await lchown(path, h.uid, h.gid);
  if (!opts.symlink && (opts.existed || !modeIsExact(h.mode, chowned))) await chmod(path, h.mode);
  if (h.xattrs.size) setXattrs(path, h.xattrs);
  if (opts.times !== false) await lutimes(path, h.mtime, h.mtime);
}

/** applyMeta, synchronously (the layer worker thread). */
export function applyMetaSync(path: string, h: TarHeader, opts: { symlink?: boolean; times?: boolean; existed?: boolean } = {}): void {
  const chowned = h.uid !== UID || h.gid !== GID;
  if (chowned) lchownSync(path, h.uid, h.gid);
  if (!opts.symlink && (opts.existed || !modeIsExact(h.mode, chowned))) chmodSync(path, h.mode);
  if (h.xattrs.size) setXattrs(path, h.xattrs);
  if (opts.times !== false) lutimesSync(path, h.mtime, h.mtime);
}

/** applyMetaFd, synchronously, on a raw fd: only the calls that change something, times last. */
export function applyMetaFdSync(fd: number, path: string, h: TarHeader): void {
  const chowned = h.uid !== UID || h.gid !== GID;
  if (chowned) fchownSync(fd, h.uid, h.gid);
  if (!modeIsExact(h.mode, chowned)) fchmodSync(fd, h.mode);
  if (h.xattrs.size) setXattrs(path, h.xattrs);
  futimesSync(fd, h.mtime, h.mtime);
}
