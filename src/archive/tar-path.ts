import { createReadStream, type Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeHeader, type TarWriteHeader } from './tar-encode.js';
import { describeLeaf } from './tar-entry.js';

const BLOCK = 512;

function header(name: string, st: Stats): TarWriteHeader {
  return { name, type: 'file', mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: 0, mtime: Math.floor(st.mtimeMs / 1000), linkname: '' };
}

/**
 * Tar of one host path with its entries renamed under `rebase` (Docker's TarResourceRebase):
 * a file becomes the entry `rebase`, a directory `rebase/` followed by its tree in sorted
 * order. Hard links inside the tree are kept; sockets are skipped.
 */
export async function* tarPath(host: string, rebase: string): AsyncGenerator<Buffer> {
  const seen = new Map<string, string>();

  async function* entry(abs: string, name: string): AsyncGenerator<Buffer> {
    const st = await lstat(abs);
    const h = header(name, st);
    if (st.isDirectory()) {
      h.type = 'directory';
      h.name = name.endsWith('/') ? name : `${name}/`;
      yield encodeHeader(h);
      const prefix = h.name === '/' ? '' : h.name;
      for (const child of (await readdir(abs)).sort()) yield* entry(join(abs, child), prefix + child);
      return;
    }
    if (st.isSocket()) return;
    if (await describeLeaf(abs, st, h, seen)) {
      yield encodeHeader(h);
      yield* body(abs, st.size);
      return;
    }
    yield encodeHeader(h);
  }

  async function* body(abs: string, size: number): AsyncGenerator<Buffer> {
    let sent = 0;
    if (size > 0) {
      for await (const c of createReadStream(abs, { start: 0, end: size - 1, highWaterMark: 256 * 1024 })) {
        const b = (c as Buffer).subarray(0, size - sent);
        sent += b.length;
        yield b;
      }
    }
    if (sent < size) yield Buffer.alloc(size - sent);
    yield Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
  }

  yield* entry(host, rebase);
  yield Buffer.alloc(BLOCK * 2);
}

/** `tarPath` as a byte stream; `onClose` runs once when it ends, fails or is destroyed. */
