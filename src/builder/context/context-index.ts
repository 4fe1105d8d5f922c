import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Digest } from '../../shared/digest.js';
import { EngineError } from '../../shared/errors.js';
import { cleanRelative, type ContextEntry } from './context-entry.js';
import { EntryTable, tarError, type EntryHeader } from './entry-table.js';
import { MemorySpool } from './memory-spool.js';
import { limited } from './safe-extract.js';
import { TarScan } from './tar-scan.js';

/** A context entry with where its bytes are kept: a range of the context's spool file. */
export interface IndexedEntry extends ContextEntry {
  /** Files: offset of the content in the spool file. */
  offset?: number;
  /** Files: sha256 (hex) of the content, computed while receiving. */
  contentHash?: string;
  /** The entry's cache digest (ContextDigests), once computed; a synced context carries it to the next build. */
  digest?: Digest;
}

export interface IndexOptions {
  /** Refuse archives whose (uncompressed) tar stream is larger than this many bytes. */
  maxBytes?: number;
}

const KEPT = new Set(['file', 'directory', 'symlink', 'link']);

/**
 * Appends bytes to a spool file (a new one, or an existing one from `start` on: `a`);
 * `write` says whether to wait for `drained` before more. `inMemory`: the bytes stay in a
 * MemorySpool while the shared budget allows (the file is only made if they spill), and
 * `reader()` hands it over.
 */
export class Spool {
  private out: WriteStream | undefined;
  private memory: MemorySpool | undefined;
  private failure: Error | undefined;
  offset: number;

  constructor(
    private readonly path: string,
    private readonly flags: 'wx' | 'a' = 'wx',
    start = 0,
    inMemory = false,
  ) {
    this.offset = start;
    if (inMemory) this.memory = new MemorySpool();
    else this.open();
  }

  private open(): WriteStream {
    this.out = createWriteStream(this.path, { flags: this.flags, mode: 0o600, highWaterMark: 1 << 22 });
    this.out.on('error', (err) => (this.failure ??= err));
    return this.out;
  }

  write(chunk: Buffer): boolean {
    this.offset += chunk.length;
    if (this.memory) {
      if (this.memory.reserve(chunk.length)) {
        this.memory.append(chunk);
        return true;
      }
      // over the budget: everything so far to the file, and the rest after it
      const out = this.open();
      for (const c of this.memory.chunks()) out.write(c);
      void this.memory.close();
      this.memory = undefined;
    }
    return this.out!.write(chunk);
  }

  async drained(): Promise<void> {
    if (this.failure) throw this.failure;
    const out = this.out;
    if (!out) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        out.off('drain', done);
        out.off('error', done);
        resolve();
      };
      out.on('drain', done);
      out.on('error', done);
    });
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    const out = this.out;
    if (out) await new Promise<void>((resolve) => out.end(resolve));
    if (this.failure) throw this.failure;
  }

  destroy(): void {
    void this.memory?.close();
    this.memory = undefined;
    this.out?.destroy();
  }

  /** The bytes, when they stayed in memory (no file was written); undefined otherwise. */
  reader(): MemorySpool | undefined {
    return this.memory;
  }
}

/**
 * Read a (plain) tar stream into an index without unpacking it: file contents are appended
 * to `spoolPath` (one sequential file) and hashed on the way; every entry is recorded with
 * its header's metadata, with an extraction's rules (EntryTable); devices and fifos are
 * skipped.
 *
 * @example const entries = await indexTar(plainTar, '/var/lib/berth/builder/tmp/context-1/files', { maxBytes });
 */
export async function indexTar(src: AsyncIterable<Buffer>, spoolPath: string, options: IndexOptions = {}): Promise<Map<string, IndexedEntry>> {
  return indexTarInto(src, new Spool(spoolPath), options);
}

/** indexTar into a given Spool (a memory one, say); on failure the spool is destroyed. */
export async function indexTarInto(src: AsyncIterable<Buffer>, spool: Spool, options: IndexOptions = {}): Promise<Map<string, IndexedEntry>> {
  const table = new EntryTable();
  /** The file whose body is arriving. */
  let file: { entry: IndexedEntry; hash: Hash } | undefined;
  let wait = false;
  const scan = new TarScan({
    entry(h) {
      file = undefined;
      if (!KEPT.has(h.type)) {
        if (cleanRelative(h.name) === undefined) throw tarError(`${JSON.stringify(h.name)} is outside of the build context`);
        return;
      }
      const e = table.add(h as EntryHeader);
      if (e?.type === 'file' && h.type === 'file') {
        e.offset = spool.offset;
        file = { entry: e, hash: createHash('sha256') };
      }
    },
    data(chunk) {
      if (!file) return;
      file.hash.update(chunk);
      if (!spool.write(chunk)) wait = true;
    },
    end() {
      if (!file) return;
      file.entry.size = spool.offset - file.entry.offset!;
      if (file.entry.size) file.entry.contentHash = file.hash.digest('hex');
      file = undefined;
    },
  });
  try {
    for await (const chunk of limited(src, options.maxBytes)) {
      scan.push(chunk);
      if (wait) {
        wait = false;
        await spool.drained();
      }
    }
    scan.finish();
    await spool.close();
  } catch (err) {
    spool.destroy();
    throw EngineError.is(err) ? err : EngineError.wrap('invalid-argument', 'Error processing tar file', err);
  }
  return table.entries;
}
