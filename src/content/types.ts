import type { Readable } from 'node:stream';
import type { Digest } from '../shared/digest.js';

/** Size and digest of a committed blob. */
export interface BlobInfo {
  digest: Digest;
  size: number;
}

/** An in-flight write, as listed by ContentManager.ingests(). */
export interface IngestStatus {
  ref: string;
  offset: number;
  startedAt: Date;
}

/**
 * Read side of the content store. Blobs are immutable once visible.
 * Missing blobs: `info` returns undefined, the others throw EngineError('not-found').
 */
export interface ContentReader {
  has(d: Digest): Promise<boolean>;
  info(d: Digest): Promise<BlobInfo | undefined>;
  /** Host path of the blob (read-only use: hardlink/copy/serve). */
  path(d: Digest): string;
  /** `end` is inclusive, as in fs.createReadStream. */
  createReadStream(d: Digest, range?: { start?: number; end?: number }): Readable;
  readBuffer(d: Digest): Promise<Buffer>;
  readJSON<T>(d: Digest): Promise<T>;
}

/**
 * One blob being written. Lifecycle: openWriter() -> write()/pipeFrom() (hashing as it goes)
 * -> commit() (size + digest verified, fsynced, renamed into blobs atomically) or abort().
 * After commit or abort the ingest is gone and the object must not be used again.
 */
export interface Ingest {
  readonly ref: string;
  /** Bytes written so far (including bytes from a resumed ingest). */
  readonly offset: number;
  write(chunk: Uint8Array): Promise<void>;
  /** Stream all of `src` into the ingest. */
  pipeFrom(src: Readable | AsyncIterable<Uint8Array>): Promise<void>;
  /** Verify and publish; resolves to the digest. A blob already present makes this a no-op. */
  commit(expected?: Digest, size?: number): Promise<Digest>;
  /** Drop everything written; safe to call twice. */
  abort(): Promise<void>;
}

export interface OpenWriterOptions {
  /** Digest the content must have (checked at commit; may be given again to commit). */
  expected?: Digest;
  /** Total size the content must have; writing past it fails early. */
  size?: number;
  /** Caller-chosen ingest name; reopening an existing ref resumes at its current offset. */
  ref?: string;
}

/** Write side of the content store. */
export interface ContentWriter {
  openWriter(opts?: OpenWriterOptions): Promise<Ingest>;
  /** Write a whole buffer as a blob. */
  put(data: Uint8Array | string, expected?: Digest): Promise<Digest>;
}

/** Housekeeping side of the content store (GC, boot). */
export interface ContentManager {
  list(): Promise<BlobInfo[]>;
  /** Returns false when the blob was not there. */
  delete(d: Digest): Promise<boolean>;
  ingests(): Promise<IngestStatus[]>;
  /** Drop every half-written ingest (called at boot, before any writer is open). */
  cleanupIngests(): Promise<number>;
}
