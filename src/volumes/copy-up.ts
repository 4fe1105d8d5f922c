import { chmod, lchown, lstat, readdir, utimes } from 'node:fs/promises';
import { applyLayer, tarDirectory } from '../archive/index.js';

/**
 * Docker's copy-up (copyExistingContents): the image's directory at a volume's destination is
 * copied into the volume when the volume is empty. `source` is that directory on the host,
 * already resolved inside the container's rootfs (symlinks followed there, never out of it);
 * the walk below never follows a symlink (links are copied as links) and the extraction never
 * writes outside `data`. Ownership, modes, times, xattrs and hard links are kept; the
 * volume's root takes the directory's owner, mode and times.
 * Returns false, copying nothing, when `data` is not empty or `source` is not a directory.
 *
 * @example await copyUp('/run/berth/containers/<id>/bundle/rootfs/var/lib/app', '/var/lib/berth/volumes/data/_data')
 */
export async function copyUp(source: string, data: string): Promise<boolean> {
  const st = await lstat(source).catch(() => undefined);
  if (!st?.isDirectory()) return false;
  if ((await readdir(data)).length > 0) return false;
  await applyLayer(tarDirectory(source), data, { whiteoutFormat: 'none', anySymlinkTarget: true });
  await lchown(data, st.uid, st.gid);
  await chmod(data, st.mode & 0o7777);
  await utimes(data, st.atime, st.mtime);
  return true;
}
