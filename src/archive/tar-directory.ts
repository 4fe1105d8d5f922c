import { createReadStream, type Stats } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { lgetxattr, llistxattr } from '../shared/libc.js';
import { END_OF_ARCHIVE, encodeHeader, padding, type TarWriteHeader } from './tar-encode.js';
import { describeLeaf } from './tar-entry.js';

const FLUSH_AT = 64 * 1024;
const SMALL = 64 * 1024;

/** Options for walking a tree into a tar. */
interface WalkOptions {
  /** Overlay upper dir: char 0/0 -> `.wh.NAME`, opaque dirs -> `DIR/.wh..wh..opq`. */
  diff: boolean;
  /** Only these paths (`/a/b`; a directory must be listed for anything under it to be seen). */
  only?: ReadonlySet<string>;
}

function xattrsOf(path: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const name of llistxattr(path)) {
    if (name.startsWith('trusted.overlay.')) continue;
    const v = lgetxattr(path, name);
    if (v) out.set(name, Buffer.from(v));
  }
  return out;
}

function baseHeader(name: string, st: Stats): TarWriteHeader {
  return {
    name,
    type: 'file',
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    size: 0,
    mtime: Math.floor(st.mtimeMs / 1000),
    linkname: '',
  };
}

async function* walk(root: string, opts: WalkOptions): AsyncGenerator<Buffer> {
  const seen = new Map<string, string>();
  let batch: Buffer[] = [];
  let batched = 0;
  const add = (b: Buffer): boolean => {
    batch.push(b);
    batched += b.length;
    return batched >= FLUSH_AT;
  };
  const take = (): Buffer => {
    const b = Buffer.concat(batch, batched);
    batch = [];
    batched = 0;
    return b;
  };

  async function* visit(rel: string): AsyncGenerator<Buffer> {
    const dirAbs = rel ? join(root, rel) : root;
    const names = (await readdir(dirAbs).catch((err: NodeJS.ErrnoException) => (rel && err.code === 'ENOENT' ? [] : Promise.reject(err)))).sort();
    for (const name of names) {
      const childRel = rel ? `${rel}/${name}` : name;
      if (opts.only && !opts.only.has(`/${childRel}`)) continue;
      const abs = join(dirAbs, name);
      // a live container's files may vanish while the walk runs
      const st = await lstat(abs).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));
      if (!st) continue;
      const h = baseHeader(childRel, st);
      if (st.isDirectory()) {
        h.type = 'directory';
        h.name = `${childRel}/`;
        h.xattrs = xattrsOf(abs);
        add(encodeHeader(h));
        if (opts.diff && lgetxattr(abs, 'trusted.overlay.opaque')?.toString() === 'y') {
          add(encodeHeader({ ...baseHeader(`${childRel}/.wh..wh..opq`, st), mode: st.mode & 0o777, mtime: 0 }));
        }
        if (batched >= FLUSH_AT) yield take();
        yield* visit(childRel);
        continue;
      }
      if (st.isCharacterDevice() && opts.diff && st.rdev === 0) {
        const wh = rel ? `${rel}/.wh.${name}` : `.wh.${name}`;
        if (add(encodeHeader({ ...baseHeader(wh, st), mode: 0o600 }))) yield take();
        continue;
      }
      if (st.isSocket()) continue;
      h.xattrs = xattrsOf(abs);
      if (await describeLeaf(abs, st, h, seen)) {
        add(encodeHeader(h));
        yield* fileBody(abs, st.size);
        continue;
      }
      if (add(encodeHeader(h))) yield take();
    }
  }

  async function* fileBody(abs: string, size: number): AsyncGenerator<Buffer> {
    if (size <= SMALL) {
      const data = size ? await readFile(abs).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? Buffer.alloc(0) : Promise.reject(err))) : Buffer.alloc(0);
      add(fit(data, size));
      add(padding(size));
      if (batched >= FLUSH_AT) yield take();
      return;
    }
    if (batched) yield take();
    let sent = 0;
    for await (const c of createReadStream(abs, { start: 0, end: size - 1, highWaterMark: 256 * 1024 })) {
      const b = (c as Buffer).subarray(0, size - sent);
      sent += b.length;
      yield b;
    }
    if (sent < size) yield Buffer.alloc(size - sent);
    yield padding(size);
  }

  yield* visit('');
  add(END_OF_ARCHIVE);
  yield take();
}

/** Exactly `size` bytes of `data` (a file that changed while read is cut or zero-filled). */
function fit(data: Buffer, size: number): Buffer {
  if (data.length === size) return data;
  return data.length > size ? data.subarray(0, size) : Buffer.concat([data, Buffer.alloc(size - data.length)]);
}

/**
 * Plain tar of a directory tree (root itself not included), entries in sorted order,
 * hard links kept, xattrs as PAX `SCHILY.xattr.*`.
 * @example tarDirectory('/tmp/rootfs').pipe(fs.createWriteStream('rootfs.tar'))
 */
export function tarDirectory(dir: string): Readable {
  return Readable.from(walk(dir, { diff: false }), { objectMode: false });
}

/**
 * Layer tar of an overlay upper dir: whiteout devices become `.wh.NAME` files and opaque
 * directories get a `.wh..wh..opq` entry, as docker/containerd write them. With `only`,
 * just those container paths (`/etc/passwd`; parents must be listed too) are written.
 * @example const tar = diffDirectory(snapshotter.upperDir(containerId));
 */
export function diffDirectory(upperDir: string, opts: { only?: ReadonlySet<string> } = {}): Readable {
  return Readable.from(walk(upperDir, { diff: true, only: opts.only }), { objectMode: false });
}
