import type { Stats } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { lgetxattr } from '../shared/libc.js';

/** One `GET /containers/{id}/changes` row: Kind 0 modified, 1 added, 2 deleted. */
export interface ContainerChange {
  Path: string;
  Kind: 0 | 1 | 2;
}

/**
 * Paths Docker keeps in a container's init layer (so `docker diff` never shows them) and
 * that berth's runtime creates in the upper dir as mount points.
 */
const INIT_PATHS = new Set(['/dev', '/proc', '/sys', '/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/.dockerenv', '/etc/mtab', '/dev/pts', '/dev/shm', '/dev/console', '/dev/mqueue']);

async function inLower(lowers: string[], path: string): Promise<Stats | undefined> {
  for (const l of lowers) {
    const st = await stat(join(l, path)).catch(() => undefined);
    if (st) return st;
  }
  return undefined;
}

/**
 * Changes of an overlay snapshot against its lower layers, as Docker computes them: each
 * upper entry is added, or modified when a lower layer has it; a whiteout (char 0/0) or an
 * opaque directory is deleted; a directory the image has is reported only when something
 * under it changed or its mode/owner did. Parents come before children, names sorted.
 * `ignore` are extra container paths to hide (mount points made by the runtime).
 */
export async function overlayChanges(upper: string, lowers: string[], ignore: ReadonlySet<string> = new Set()): Promise<ContainerChange[]> {
  async function visit(dir: string): Promise<ContainerChange[]> {
    const out: ContainerChange[] = [];
    const names = (await readdir(join(upper, dir)).catch(() => [] as string[])).sort();
    for (const name of names) {
      const path = dir === '/' ? `/${name}` : `${dir}/${name}`;
      if (INIT_PATHS.has(path) || ignore.has(path)) continue;
      const abs = join(upper, path);
      const st = await lstat(abs).catch(() => undefined);
      if (!st) continue;
      if (st.isCharacterDevice() && st.rdev === 0) {
        out.push({ Path: path, Kind: 2 });
        continue;
      }
      if (!st.isDirectory()) {
        out.push({ Path: path, Kind: (await inLower(lowers, path)) ? 0 : 1 });
        continue;
      }
      const children = await visit(path);
      const opaque = lgetxattr(abs, 'trusted.overlay.opaque')?.toString() === 'y';
      const lower = await inLower(lowers, path);
      if (opaque) out.push({ Path: path, Kind: 2 });
      else if (!lower) out.push({ Path: path, Kind: 1 });
      else if (children.length || (lower.mode & 0o7777) !== (st.mode & 0o7777) || lower.uid !== st.uid || lower.gid !== st.gid) {
        out.push({ Path: path, Kind: 0 });
      }
      out.push(...children);
    }
    return out;
  }
  return visit('/');
}
