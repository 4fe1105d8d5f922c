import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, statSync } from 'node:fs';
import { readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { hexOf, isDigest, type Digest } from '../shared/digest.js';
import { EngineError, notFound } from '../shared/errors.js';
import { IngestWriter, sizeOf } from './ingest-writer.js';
import type {
  BlobInfo,
  ContentManager,
  ContentReader,
  ContentWriter,
  Ingest,
  IngestStatus,
  OpenWriterOptions,
} from './types.js';

const SAFE_REF = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Content-addressable blob store, rooted at `<data-root>/content`:
 * ```
 * blobs/sha256/<hex>     committed, immutable blobs
 * ingest/<ref>/data      in-flight writes (never visible as blobs)
 * ```
 * @example
 *   const store = new ContentStore('/var/lib/berth/content');
 *   const w = await store.openWriter({ expected: desc.digest, size: desc.size });
 *   await w.pipeFrom(res);
 *   await w.commit();
 */
export class ContentStore implements ContentReader, ContentWriter, ContentManager {
  private readonly blobsDir: string;
  private readonly ingestDir: string;
  private readonly open = new Set<string>();

  constructor(readonly root: string) {
    this.blobsDir = join(root, 'blobs', 'sha256');
    this.ingestDir = join(root, 'ingest');
    mkdirSync(this.blobsDir, { recursive: true });
    mkdirSync(this.ingestDir, { recursive: true });
  }

  path(d: Digest): string {
    if (!isDigest(d)) throw new EngineError('invalid-argument', `invalid digest format: ${d}`);
    return join(this.blobsDir, hexOf(d));
  }

  async has(d: Digest): Promise<boolean> {
    return (await sizeOf(this.path(d))) !== undefined;
  }

  async info(d: Digest): Promise<BlobInfo | undefined> {
    const size = await sizeOf(this.path(d));
    return size === undefined ? undefined : { digest: d, size };
  }

  createReadStream(d: Digest, range: { start?: number; end?: number } = {}): Readable {
    const p = this.path(d);
    try {
      statSync(p);
    } catch {
      throw missing(d);
    }
    return createReadStream(p, range);
  }

  async readBuffer(d: Digest): Promise<Buffer> {
    try {
      return await readFile(this.path(d));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw missing(d);
      throw err;
    }
  }

  async readJSON<T>(d: Digest): Promise<T> {
    const buf = await this.readBuffer(d);
    try {
      return JSON.parse(buf.toString('utf8')) as T;
    } catch (err) {
      throw EngineError.wrap('invalid-argument', `failed to parse content ${d}`, err);
    }
  }

  async openWriter(opts: OpenWriterOptions = {}): Promise<Ingest> {
    const ref = opts.ref ?? randomBytes(16).toString('hex');
    const name = SAFE_REF.test(ref) ? ref : createHash('sha256').update(ref).digest('hex');
    if (this.open.has(name)) throw new EngineError('unavailable', `ref ${ref} locked: unavailable`);
    this.open.add(name);
    const dir = join(this.ingestDir, name);
    const paths = { dir, data: join(dir, 'data'), blobPath: (d: Digest) => this.path(d) };
    try {
      return await IngestWriter.open(ref, paths, opts, () => this.open.delete(name));
    } catch (err) {
      this.open.delete(name);
      throw EngineError.wrap('internal', 'failed to open ingest', err);
    }
  }

  async put(data: Uint8Array | string, expected?: Digest): Promise<Digest> {
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    const digest = `sha256:${createHash('sha256').update(buf).digest('hex')}` as Digest;
    if (expected && expected !== digest) {
      throw new EngineError('invalid-argument', `digest mismatch: expected ${expected}, got ${digest}`);
    }
    if (await this.has(digest)) return digest;
    const w = await this.openWriter({ expected: digest, size: buf.length });
    try {
      await w.write(buf);
    } catch (err) {
      await w.abort();
      throw err;
    }
    return w.commit();
  }

  async list(): Promise<BlobInfo[]> {
    const names = await readdir(this.blobsDir);
    const out: BlobInfo[] = [];
    for (const hex of names) {
      const digest = `sha256:${hex}` as Digest;
      if (!isDigest(digest)) continue;
      const info = await this.info(digest);
      if (info) out.push(info);
    }
    return out;
  }

  async delete(d: Digest): Promise<boolean> {
    try {
      await unlink(this.path(d));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw EngineError.wrap('internal', `failed to delete content ${d}`, err);
    }
  }

  async ingests(): Promise<IngestStatus[]> {
    const out: IngestStatus[] = [];
    for (const name of await readdir(this.ingestDir)) {
      const dir = join(this.ingestDir, name);
      const ref = await readFile(join(dir, 'ref'), 'utf8').catch(() => name);
      try {
        const st = await stat(join(dir, 'data'));
        out.push({ ref, offset: st.size, startedAt: st.birthtime.getTime() ? st.birthtime : st.ctime });
      } catch {
        out.push({ ref, offset: 0, startedAt: new Date(0) });
      }
    }
    return out;
  }

  async cleanupIngests(): Promise<number> {
    let n = 0;
    for (const ref of await readdir(this.ingestDir)) {
      if (this.open.has(ref)) continue;
      await rm(join(this.ingestDir, ref), { recursive: true, force: true });
      n++;
    }
    return n;
  }
}

function missing(d: Digest): EngineError {
  return notFound(`content digest ${d}: not found`);
}
