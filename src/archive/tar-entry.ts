import type { Stats } from 'node:fs';
import { readlink } from 'node:fs/promises';
import type { TarWriteHeader } from './tar-encode.js';

/** Major/minor of a device number as Linux encodes it (glibc's gnu_dev_major/minor). */
export function devOf(rdev: number): { devmajor: number; devminor: number } {
  const hi = Math.floor(rdev / 2 ** 32);
  const lo = rdev % 2 ** 32;
  return {
    devmajor: ((lo >>> 8) & 0xfff) | ((hi & ~0xfff) >>> 0),
    devminor: (lo & 0xff) | ((lo >>> 12) & ~0xff),
  };
}

/**
 * Fill in `h` for a non-directory entry at `abs` (symlink, fifo, device, file or a hard link to
 * a file already written, tracked in `seen` by dev:ino). Returns true when the file's contents
 * must follow the header (h.size is set then).
 */
export async function describeLeaf(abs: string, st: Stats, h: TarWriteHeader, seen: Map<string, string>): Promise<boolean> {
  if (st.isSymbolicLink()) {
    h.type = 'symlink';
    h.linkname = await readlink(abs);
  } else if (st.isFIFO()) {
    h.type = 'fifo';
  } else if (st.isCharacterDevice() || st.isBlockDevice()) {
    h.type = st.isCharacterDevice() ? 'char' : 'block';
    Object.assign(h, devOf(st.rdev));
  } else if (st.isFile()) {
    const key = `${st.dev}:${st.ino}`;
    const first = st.nlink > 1 ? seen.get(key) : undefined;
    if (first !== undefined) {
      h.type = 'link';
      h.linkname = first;
      return false;
    }
    if (st.nlink > 1) seen.set(key, h.name);
    h.size = st.size;
    return true;
  }
  return false;
}
