import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { encodeHeader, END_OF_ARCHIVE, padding } from '../../archive/tar-encode.js';
import { ContextDigests, type SourceDigest } from './context-digests.js';
import { sortWalkOrder, type ContextEntry } from './context-entry.js';
import type { IndexedEntry } from './context-index.js';
import { resolveCopySources, type CopySource } from './copy-sources.js';
import { extractTar } from './safe-extract.js';
import { resolveInContext } from './scoped-resolve.js';
import type { SpoolReader } from './memory-spool.js';

/** Bytes read from the spool at once. */
const READ_BLOCK = 1 << 20;

/** The Dockerfile the build runs, read from the context before `.dockerignore` could hide it. */
export interface ContextDockerfile {
  /** Its path in the context, as found (`Dockerfile`, `dockerfile`, `sub/Dockerfile.dev`). */
  path: string;
  content: string;
}

/**
 * A received build context: an index of its entries (metadata and content hashes) and one
 * spool file holding the file contents, in a private directory. COPY and ADD read files
 * straight from the spool (`open`); only what needs real files on the host (`RUN
 * --mount=type=bind` from the context, ADD of an archive) materialises the tree, once, on
 * first use (`hostPath`). `dispose()` removes the directory.
 *
 * @example
 *   const ctx = await receiveContext(req, { workDir });
 *   try {
 *     const srcs = ctx.copySources(['*.js']);
 *     const { digest } = await ctx.sourceDigest(srcs[0].path);
 *     for await (const chunk of ctx.open(srcs[0].path)) ...
 *   } finally { await ctx.dispose(); }
 */
export class BuildContext {
  private readonly digests: ContextDigests;
  private materialised: Promise<string> | undefined;
  private fh: Promise<SpoolReader> | undefined;
  private last: { offset: number; data: Buffer } | undefined;
  private sorted: ContextEntry[] | undefined;

  constructor(
    /** The context's private directory (the spool, the materialised tree, build scratch space). */
    readonly dir: string,
    /** The file holding every file's content (see IndexedEntry.offset). */
    private readonly spool: string,
    private readonly entries: Map<string, IndexedEntry>,
    readonly dockerfile: ContextDockerfile,
    /** The spool already open (a synced context's, which may be replaced on disk meanwhile), or in memory; closed by dispose. */
    handle?: SpoolReader,
  ) {
    this.digests = new ContextDigests(entries);
    if (handle) this.fh = Promise.resolve(handle);
  }

  /** The entry at `path` (not following symlinks), if any. */
  entry(path: string): ContextEntry | undefined {
    return this.entries.get(path);
  }

  /** Every entry, parents before children (sorted once). */
  list(): ContextEntry[] {
    this.sorted ??= sortWalkOrder(this.entries.keys()).map((p) => this.entries.get(p)!);
    return this.sorted;
  }

  /** The path with symlinks followed inside the context. */
  resolve(path: string): string {
    return resolveInContext(this.entries, path);
  }

  /**
   * The content of the file at `path` (an entry of type file), read from the spool in blocks
   * of READ_BLOCK: files read in the order they arrived (a directory copied whole) share
   * blocks, so many small files cost few reads.
   */
  async *open(path: string): AsyncGenerator<Buffer> {
    const e = this.entries.get(path);
    if (e?.type !== 'file' || e.offset === undefined) throw new Error(`not a file of the build context: ${path}`);
    for (let pos = e.offset, end = e.offset + e.size; pos < end;) {
      const block = await this.block(pos);
      const from = pos - block.offset;
      const take = Math.min(block.data.length - from, end - pos);
      if (take <= 0) throw new Error(`build context spool ended early at ${path}`);
      yield block.data.subarray(from, from + take);
      pos += take;
    }
  }

  /** The spool block holding byte `pos` (the last one read, or the READ_BLOCK bytes from `pos`). */
  private async block(pos: number): Promise<{ offset: number; data: Buffer }> {
    const last = this.last;
    if (last && pos >= last.offset && pos < last.offset + last.data.length) return last;
    const data = Buffer.allocUnsafe(READ_BLOCK);
    const { bytesRead } = await (await this.handle()).read(data, 0, READ_BLOCK, pos);
    this.last = { offset: pos, data: data.subarray(0, bytesRead) };
    return this.last;
  }

  /** The first `n` bytes (fewer for a smaller file) of the file at `path`. */
  async head(path: string, n: number): Promise<Buffer> {
    const e = this.entries.get(path);
    if (e?.type !== 'file' || e.offset === undefined || e.size === 0) return Buffer.alloc(0);
    const buf = Buffer.alloc(Math.min(n, e.size));
    const { bytesRead } = await (await this.handle()).read(buf, 0, buf.length, e.offset);
    return buf.subarray(0, bytesRead);
  }

  /** One read-only handle on the spool, shared by every reader (positional reads). */
  private handle(): Promise<SpoolReader> {
    this.fh ??= open(this.spool, 'r');
    return this.fh;
  }

  /** Absolute path on the host of a context path (symlinks followed inside the context); unpacks the context once. */
  async hostPath(path: string): Promise<string> {
    const root = await this.materialise();
    const rel = resolveInContext(this.entries, path);
    return rel ? join(root, rel) : root;
  }

  /** The context as a directory tree (made on the first call, safely, from the index). */
  materialise(): Promise<string> {
    this.materialised ??= (async () => {
      const root = join(this.dir, 'root');
      await mkdir(root, { mode: 0o700 });
      await extractTar(this.tar(), root);
      return root;
    })();
    return this.materialised;
  }

  /** COPY/ADD sources (expanded) to context paths, with Docker's errors. */
  copySources(sources: string[]): CopySource[] {
    return resolveCopySources(this.entries, sources);
  }

  /** Digest of `path` and everything below it, with one digest per file. */
  sourceDigest(path: string): Promise<SourceDigest> {
    return this.digests.source(path);
  }

  async dispose(): Promise<void> {
    await this.materialised?.catch(() => undefined);
    await (await this.fh?.catch(() => undefined))?.close().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  /** The whole context as a tar (for materialising). */
  private tar(): Readable {
    const list = this.list();
    const self = this;
    return Readable.from((async function* () {
      for (const e of list) {
        const type = e.type === 'dir' ? 'directory' : e.type;
        yield encodeHeader({ name: e.type === 'dir' ? `${e.path}/` : e.path, type, mode: e.mode, uid: e.uid, gid: e.gid, size: e.size, mtime: e.mtimeMs / 1000, linkname: e.linkname ?? '' });
        if (e.type === 'file' && e.size > 0) {
          yield* self.open(e.path);
          yield padding(e.size);
        }
      }
      yield END_OF_ARCHIVE;
    })());
  }
}
