import type { Readable } from 'node:stream';
import type { Digest } from '../shared/digest.js';
import type { Snapshotter } from '../snapshots/snapshotter.js';

/**
 * What the image service needs from the content store (src/content), declared by the
 * consumer so images depend on a role-sized interface, not the whole store.
 */
export interface ImageContent {
  has(digest: Digest): Promise<boolean>;
  readBuffer(digest: Digest): Promise<Buffer>;
  createReadStream(digest: Digest): Readable | Promise<Readable>;
  /** Stores a small blob, verifying `expected` when given. */
  put(data: Uint8Array, expected?: Digest): Promise<Digest>;
  openWriter(opts?: Record<string, unknown>): Promise<ImageIngest> | ImageIngest;
  delete(digest: Digest): Promise<unknown>;
  /** Every stored blob (used only by collectGarbage({blobs:true})). */
  list?(): Promise<{ digest: Digest }[]>;
}

/** An in-flight blob write: hashed while streaming, visible only after commit. */
export interface ImageIngest {
  pipeFrom(src: Readable): Promise<unknown>;
  commit(expected?: Digest, size?: number): Promise<Digest>;
  abort(): Promise<void>;
}

/** Layer tar handling (src/archive). */
export interface LayerArchive {
  /** Detects gzip/zstd/plain and returns the plain tar stream. */
  decompress(src: Readable): Readable | Promise<Readable>;
  /**
   * Applies a plain layer tar onto dir; returns the DiffID (sha256 of the plain tar) and size.
   * `sync`: flush the filesystem once at the end (the layer is about to become visible).
   */
  applyLayer(tar: Readable, dir: string, opts: { whiteoutFormat: 'overlay'; sync?: boolean; digest?: boolean; donor?: string }): Promise<{ diffId: Digest | string; size: number; contentSize?: number }>;
}

/** Everything the local image service is built from. */
export interface ImageServiceDeps {
  /** `<data-root>/images` */
  root: string;
  content: ImageContent;
  snapshotter: Snapshotter;
  archive: LayerArchive;
  /** Which container (if any) uses an image; should prefer a running one. */
  usage?: (imageId: string) => { containerId: string; running: boolean } | undefined;
}
