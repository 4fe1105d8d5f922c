import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { encodeHeader, END_OF_ARCHIVE, padding } from '../../archive/tar-encode.js';
import { EngineError } from '../../shared/errors.js';
import { sortWalkOrder } from '../context/context-entry.js';
import type { CopyEntry, PathStat } from './ports.js';

/** Answers which of these absolute paths the parent image holds (BuildImages.statPaths). */
export type StatPaths = (paths: string[]) => Promise<Map<string, PathStat>>;

const parentsOf = (p: string): string[] => {
  const out: string[] = [];
  for (let d = posix.dirname(p); d !== '/' && d !== '.'; d = posix.dirname(d)) out.push(d);
  return out;
};

/**
 * The layer a COPY/ADD makes, written straight from its entries (no step container): the
 * directories it needs (existing ones as the image has them, as overlay's copy-up would show
 * them; missing ones root 0755, as the copy creates them), then every entry with its final
 * owner and mode, sorted as a directory walk; symlinks stay symlinks. Undefined when the copy
 * is not a plain one and must go through a step container: an archive to extract, a path
 * through a symlink or over a non-directory of the image, a directory replacing a file (or
 * the reverse), names overlay would read as whiteouts.
 *
 * @example const tar = await copyLayer(plan.entries, plan.dirs, (p) => images.statPaths(id, p));
 */
export async function copyLayer(entries: CopyEntry[], dirs: string[], stat: StatPaths): Promise<Readable | undefined> {
  const byPath = new Map<string, CopyEntry>();
  for (const e of entries) {
    if (e.type === 'archive' || posix.basename(e.path).startsWith('.wh.')) return undefined;
    const seen = byPath.get(e.path);
    if (seen && (seen.type === 'dir') !== (e.type === 'dir')) return undefined;
    byPath.set(e.path, e);
  }
  const needed = new Set<string>();
  for (const d of dirs) if (d !== '/' && !byPath.has(d)) needed.add(d);
  for (const p of [...byPath.keys(), ...dirs]) for (const d of parentsOf(p)) if (!byPath.has(d)) needed.add(d);
  const stats = await stat([...needed, ...byPath.keys()]);
  for (const d of needed) {
    const s = stats.get(d);
    if (s && s.type !== 'dir') return undefined;
  }
  for (const [p, e] of byPath) {
    const s = stats.get(p);
    if (!s) continue;
    if (s.type === 'other' || (s.type === 'dir') !== (e.type === 'dir')) return undefined;
  }
  const now = Math.floor(Date.now() / 1000);
  const order = sortWalkOrder([...needed, ...byPath.keys()].map((p) => p.slice(1)));
  return Readable.from(blocks((async function* () {
    for (const rel of order) {
      const path = `/${rel}`;
      const e = byPath.get(path);
      if (!e) {
        // a directory the copy needs: the image's own as it is, or a new one (root, 0755)
        const s = stats.get(path);
        yield encodeHeader({ name: `${rel}/`, type: 'directory', mode: s?.mode ?? 0o755, uid: s?.uid ?? 0, gid: s?.gid ?? 0, size: 0, mtime: s ? Math.floor(s.mtimeMs / 1000) : now, linkname: '' });
        continue;
      }
      const meta = { mode: e.mode, uid: e.uid, gid: e.gid, mtime: e.mtime ?? now };
      if (e.type === 'dir') yield encodeHeader({ name: `${rel}/`, type: 'directory', size: 0, linkname: '', ...meta });
      else if (e.type === 'symlink') yield encodeHeader({ name: rel, type: 'symlink', size: 0, linkname: e.linkname ?? '', ...meta, mode: 0o777 });
      else {
        const size = e.content ? e.content.length : (e.size ?? 0);
        yield encodeHeader({ name: rel, type: 'file', size, linkname: '', ...meta });
        let n = 0;
        const body: AsyncIterable<Buffer> | Iterable<Buffer> = e.content ? [e.content] : e.open ? e.open() : [];
        for await (const chunk of body) {
          n += chunk.length;
          yield chunk;
        }
        if (n !== size) throw new EngineError('internal', `failed to copy ${path}: size changed while copying`);
        yield padding(size);
      }
    }
    yield END_OF_ARCHIVE;
  })()));
}

/** Bytes per block handed on: one write and one message to the unpacking worker each. */
const BLOCK_SIZE = 1 << 20;

/**
 * The pieces of a tar (headers, file bodies, padding) copied into blocks of BLOCK_SIZE: a
 * layer of many small files then costs a few large writes instead of three per file.
 */
async function* blocks(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let out = Buffer.allocUnsafe(BLOCK_SIZE);
  let used = 0;
  for await (const piece of src) {
    for (let off = 0; off < piece.length;) {
      const n = Math.min(piece.length - off, BLOCK_SIZE - used);
      piece.copy(out, used, off, off + n);
      used += n;
      off += n;
      if (used === BLOCK_SIZE) {
        yield out;
        out = Buffer.allocUnsafe(BLOCK_SIZE);
        used = 0;
      }
    }
  }
  if (used) yield out.subarray(0, used);
}
