import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Bytes a volume uses as dockerd counts them (pkg/directory.Size): the size of everything
 * that is not a directory (files, symlinks), each inode once. -1 when `dir` cannot be read.
 */
export async function dirUsage(dir: string): Promise<number> {
  const seen = new Set<number>();
  let total = 0;
  const walk = async (d: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(d);
    } catch {
      return;
    }
    for (const n of names) {
      const st = await lstat(join(d, n)).catch(() => undefined);
      if (!st) continue;
      if (st.isDirectory()) {
        await walk(join(d, n));
        continue;
      }
      if (seen.has(st.ino)) continue;
      seen.add(st.ino);
      total += st.size;
    }
  };
  try {
    await readdir(dir);
  } catch {
    return -1;
  }
  await walk(dir);
  return total;
}
