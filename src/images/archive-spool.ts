import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { Digest } from '../shared/digest.js';
import { EngineError, invalid } from '../shared/errors.js';
import type { ImageContent } from './deps.js';

/** A regular file of the outer archive: kept in memory (small metadata) or stored as a blob. */
export type SpooledFile =
  | { kind: 'mem'; data: Buffer }
  | { kind: 'blob'; digest: Digest; size: number; compression: 'gzip' | 'zstd' | 'none' };

/** The spooled outer archive: files by normalized path, links by path -> target path. */
export interface SpooledArchive {
  files: Map<string, SpooledFile>;
  links: Map<string, string>;
  /** Blobs this spool stored (a failed load deletes those no image references). */
  added: Digest[];
}

const MEM_LIMIT = 4 << 20;
const BLOB_PATH = /^blobs\/sha256\/([a-f0-9]{64})$/;

/** `./a/b` -> `a/b`; throws on absolute names and `..` components. */
export function cleanEntryName(name: string): string {
  const n = name.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  if (n.startsWith('/') || n.split('/').includes('..')) throw invalid(`invalid archive: entry ${JSON.stringify(name)} escapes the archive root`);
  return path.posix.normalize(n || '.');
}

function compressionOf(head: Buffer): 'gzip' | 'zstd' | 'none' {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  return 'none';
}

const METADATA_NAMES = new Set(['json', 'VERSION', 'repositories', 'oci-layout']);

/** Small descriptive files stay in memory; layers (and anything else) go to the content store. */
function isMetadata(name: string, size: number): boolean {
  if (size > MEM_LIMIT || name.startsWith('blobs/')) return false;
  return name.endsWith('.json') || METADATA_NAMES.has(path.posix.basename(name));
}

/**
 * Reads a docker-archive / OCI-layout tar once, in order: metadata files are kept in
 * memory, everything else (layer tars, blobs/sha256/*) is streamed into the content
 * store, verified against its `blobs/sha256/<hex>` name. Nothing becomes an image here.
 * Blobs stored are pushed to `added` as they land (also when a later entry fails).
 */
export async function spoolArchive(src: Readable, content: ImageContent, added: Digest[] = [], onBlob?: (d: Digest) => void): Promise<SpooledArchive> {
  const out: SpooledArchive = { files: new Map(), links: new Map(), added };
  const extract = tar.extract();
  src.on('error', (err) => extract.destroy(err));
  src.pipe(extract);
  try {
    for await (const entry of extract) {
      const h = entry.header;
      const name = cleanEntryName(h.name);
      if (h.type === 'symlink' || h.type === 'link') {
        const target = h.linkname ?? '';
        const resolved = h.type === 'symlink' && !target.startsWith('/') ? path.posix.join(path.posix.dirname(name), target) : target;
        out.links.set(name, cleanEntryName(resolved));
        entry.resume();
        continue;
      }
      if (h.type !== 'file' && h.type !== 'contiguous-file') {
        entry.resume();
        continue;
      }
      const size = h.size ?? 0;
      if (isMetadata(name, size)) {
        const chunks: Buffer[] = [];
        for await (const c of entry) chunks.push(c as Buffer);
        out.files.set(name, { kind: 'mem', data: Buffer.concat(chunks) });
        continue;
      }
      const m = BLOB_PATH.exec(name);
      const expected = m ? (`sha256:${m[1]}` as Digest) : undefined;
      const existed = expected ? await content.has(expected) : false;
      let head: Buffer = Buffer.alloc(0);
      const tapped = Readable.from(
        (async function* () {
          for await (const c of entry) {
            const b = c as Buffer;
            if (head.length < 4) head = Buffer.concat([head, b.subarray(0, 4)]);
            yield b;
          }
        })(),
        { objectMode: false },
      );
      const w = await content.openWriter({ ref: `load-${randomBytes(8).toString('hex')}` });
      let digest: Digest;
      try {
        await w.pipeFrom(tapped);
        digest = await w.commit(expected, size);
      } catch (err) {
        await w.abort().catch(() => undefined);
        if (expected) throw EngineError.wrap('invalid-argument', `invalid archive: blob ${name} does not match its digest`, err);
        throw EngineError.wrap('internal', `failed to store ${name}`, err);
      }
      onBlob?.(digest);
      if (!existed && !out.added.includes(digest)) out.added.push(digest);
      out.files.set(name, { kind: 'blob', digest, size, compression: compressionOf(head) });
    }
  } catch (err) {
    src.unpipe(extract);
    extract.destroy();
    if (EngineError.is(err)) throw err;
    throw EngineError.wrap('invalid-argument', 'invalid archive', err);
  }
  return out;
}

/** Follows links (at most 16 hops) to the stored file for an archive path. */
export function lookup(archive: SpooledArchive, p: string): SpooledFile | undefined {
  let name = cleanEntryName(p);
  for (let i = 0; i < 16; i++) {
    const f = archive.files.get(name);
    if (f) return f;
    const next = archive.links.get(name);
    if (!next) return undefined;
    name = next;
  }
  return undefined;
}
