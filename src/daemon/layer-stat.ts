import { lstat } from 'node:fs/promises';
import { posix } from 'node:path';
import type { PathStat } from '../builder/index.js';
import { lgetxattr } from '../shared/libc.js';

const OPAQUE = 'trusted.overlay.opaque';

/**
 * What an image's merged filesystem holds at each absolute path, read from its overlay layer
 * directories (top first) without mounting: the topmost layer that has the path decides; a
 * whiteout (char device 0/0) hides it, as does an opaque directory above it in a higher
 * layer. Paths below one that is absent (or not a directory) are absent without a lookup.
 *
 * @example await statInLayers(['/snap/9/fs', '/snap/3/fs'], ['/etc', '/etc/app.conf']);
 */
export async function statInLayers(layers: string[], paths: string[]): Promise<Map<string, PathStat>> {
  const out = new Map<string, PathStat>();
  const absent = new Set<string>();
  const opaque = new Map<string, boolean>();
  const isOpaque = (abs: string): boolean => {
    let v = opaque.get(abs);
    if (v === undefined) {
      try {
        v = lgetxattr(abs, OPAQUE)?.toString() === 'y';
      } catch {
        v = false;
      }
      opaque.set(abs, v);
    }
    return v;
  };
  const lookup = async (p: string): Promise<PathStat | undefined> => {
    for (const layer of layers) {
      const st = await lstat(layer + p).catch(() => undefined);
      if (st) {
        if (st.isCharacterDevice() && st.rdev === 0) return undefined;
        const type = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : 'other';
        return { type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtimeMs: st.mtimeMs };
      }
      // an opaque directory on the way hides what the layers below hold
      for (let d = posix.dirname(p); d !== '/'; d = posix.dirname(d)) if (isOpaque(layer + d)) return undefined;
    }
    return undefined;
  };
  for (const p of [...new Set(paths)].sort((a, b) => a.length - b.length)) {
    const parent = posix.dirname(p);
    if (absent.has(parent) || (out.has(parent) && out.get(parent)!.type !== 'dir')) {
      absent.add(p);
      continue;
    }
    const st = await lookup(p);
    if (st) out.set(p, st);
    else absent.add(p);
  }
  return out;
}
