import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, mkdir, open, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Digest } from '../shared/digest.js';
import { EngineError, invalid } from '../shared/errors.js';
import type { Ingest } from './types.js';

/** Where an ingest lives and where its blob goes. Paths are drawn by ContentStore. */
export interface IngestPaths {
  dir: string;
  data: string;
  blobPath(d: Digest): string;
}

/**
 * One ingest file: hashes while writing, verifies at commit, publishes with link(2)
 * (never replaces an existing blob, so concurrent commits of one digest are safe).
 */
export class IngestWriter implements Ingest {
  private hash: Hash = createHash('sha256');
  private done = false;

  private constructor(
    readonly ref: string,
    private readonly paths: IngestPaths,
    private fh: FileHandle,
    private written: number,
    private readonly expected: Digest | undefined,
    private readonly size: number | undefined,
    private readonly onClose: () => void,
  ) {}

  /** Open (or resume) the ingest at `paths`; an existing data file is re-hashed. */
  static async open(
    ref: string,
    paths: IngestPaths,
    opts: { expected?: Digest; size?: number },
    onClose: () => void,
  ): Promise<IngestWriter> {
    await mkdir(paths.dir, { recursive: true });
    await writeFile(join(paths.dir, 'ref'), ref);
    const fh = await open(paths.data, 'a');
    const w = new IngestWriter(ref, paths, fh, 0, opts.expected, opts.size, onClose);
    const st = await fh.stat();
    if (st.size > 0) {
      for await (const chunk of createReadStream(paths.data, { end: st.size - 1 })) w.hash.update(chunk as Buffer);
      w.written = st.size;
    }
    return w;
  }

  get offset(): number {
    return this.written;
  }

  async write(chunk: Uint8Array): Promise<void> {
    this.ensureOpen();
    if (this.size !== undefined && this.written + chunk.length > this.size) {
      throw invalid(`failed to write content: size exceeds expected ${this.size}`);
    }
    this.hash.update(chunk);
    let off = 0;
    while (off < chunk.length) {
      const { bytesWritten } = await this.fh.write(chunk, off, chunk.length - off);
      off += bytesWritten;
    }
    this.written += chunk.length;
  }

  async pipeFrom(src: Readable | AsyncIterable<Uint8Array>): Promise<void> {
    for await (const chunk of src as AsyncIterable<Uint8Array | string>) {
      await this.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    }
  }

  async commit(expected?: Digest, size?: number): Promise<Digest> {
    this.ensureOpen();
    const want = expected ?? this.expected;
    const wantSize = size ?? this.size;
    try {
      if (wantSize !== undefined && this.written !== wantSize) {
        throw invalid(`failed to commit content: unexpected commit size ${this.written}, expected ${wantSize}`);
      }
      const got = `sha256:${this.hash.digest('hex')}` as Digest;
      if (want !== undefined && got !== want) throw invalid(`digest mismatch: expected ${want}, got ${got}`);
      await this.fh.sync();
      await this.fh.close();
      const target = this.paths.blobPath(got);
      await mkdir(dirname(target), { recursive: true });
      try {
        await link(this.paths.data, target);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      await this.finish();
      return got;
    } catch (err) {
      await this.abort();
      throw EngineError.is(err) ? err : EngineError.wrap('internal', 'failed to commit content', err);
    }
  }

  async abort(): Promise<void> {
    if (this.done) return;
    await this.fh.close().catch(() => undefined);
    await this.finish();
  }

  private async finish(): Promise<void> {
    this.done = true;
    try {
      await rm(this.paths.dir, { recursive: true, force: true });
    } finally {
      this.onClose();
    }
  }

  private ensureOpen(): void {
    if (this.done) throw new EngineError('internal', `failed to use ingest ${this.ref}: already committed or aborted`);
  }
}

/** Size of a file, or undefined when it does not exist. */
export async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
