import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Digest } from '../shared/digest.js';
import { EngineError } from '../shared/errors.js';
import { Leases } from './leases.js';

/**
 * On-disk layout of the image index (drawn once, here):
 *
 *   <data-root>/images/index.json      {"schemaVersion":1,"images":{"sha256:<config>": ImageRecord}}
 *   <data-root>/images/tmp/            scratch space (save spooling); emptied on open
 *
 * Written atomically (temp file + fsync + rename + fsync of the directory). An image
 * record is only added after its blobs are in the content store and every layer is a
 * committed snapshot, so a reference is never visible before its content.
 * RepoTags/RepoDigests are stored fully qualified (`docker.io/library/busybox:latest`).
 */
export const INDEX_SCHEMA_VERSION = 1;

/** One layer of an image: the blob as stored and its uncompressed identity. */
export interface LayerRecord {
  /** Digest of the blob as stored in the content store (compressed or not). */
  digest: Digest;
  mediaType: string;
  /** Size of the stored blob. */
  size: number;
  /** sha256 of the uncompressed tar (config rootfs.diff_ids[i]). */
  diffId: Digest;
  /** Unpacked size reported by applyLayer (Docker's layer size). */
  diffSize: number;
}

/** A manifest the image was pulled/loaded by (kept so push/save can reuse it). */
export interface ManifestRecord {
  digest: Digest;
  mediaType: string;
  size: number;
}

export interface ImageRecord {
  /** Image ID = config digest. */
  id: Digest;
  layers: LayerRecord[];
  manifests: ManifestRecord[];
  repoTags: string[];
  repoDigests: string[];
  /** RFC3339; '' until tagged. */
  lastTagTime: string;
  /** When the image entered this store (RFC3339). */
  added: string;
  /** Image it was made from by commit or a build step (added later; absent for others). */
  parent?: Digest;
}

interface IndexFile {
  schemaVersion: number;
  images: Record<string, ImageRecord>;
}

/** Atomically write a file: temp + fsync + rename + fsync(dir). */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}`);
  const fh = await fsp.open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  const dh = await fsp.open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

/**
 * The image index: image records by ID, persisted as one JSON file.
 * Reads are from memory; every mutation runs through update(), serialized, and is
 * persisted before the new state becomes visible to readers.
 *
 * @example
 *   const idx = await ImageIndex.open('/var/lib/berth/images');
 *   await idx.update((imgs) => { imgs.set(rec.id, rec); });
 */
export class ImageIndex {
  private images = new Map<string, ImageRecord>();
  /** Content and snapshots in-flight operations hold (GC skips them). */
  readonly leases = new Leases();
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(readonly root: string) {}

  static async open(root: string): Promise<ImageIndex> {
    const idx = new ImageIndex(root);
    await fsp.mkdir(root, { recursive: true, mode: 0o700 });
    await fsp.rm(idx.tmpDir, { recursive: true, force: true });
    await fsp.mkdir(idx.tmpDir, { recursive: true, mode: 0o700 });
    let raw: string | undefined;
    try {
      raw = await fsp.readFile(idx.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw EngineError.wrap('internal', 'failed to read image index', err);
    }
    if (raw !== undefined) {
      let parsed: IndexFile;
      try {
        parsed = JSON.parse(raw) as IndexFile;
      } catch (err) {
        throw EngineError.wrap('internal', 'failed to parse image index', err);
      }
      if (parsed.schemaVersion !== INDEX_SCHEMA_VERSION) {
        throw new EngineError('internal', `failed to open image index: unsupported schema version ${parsed.schemaVersion}`);
      }
      for (const [id, rec] of Object.entries(parsed.images ?? {})) idx.images.set(id, rec);
    }
    return idx;
  }

  get file(): string {
    return path.join(this.root, 'index.json');
  }

  /** Scratch directory for temporary files (cleared on open). */
  get tmpDir(): string {
    return path.join(this.root, 'tmp');
  }

  get(id: string): ImageRecord | undefined {
    return this.images.get(id);
  }

  all(): ImageRecord[] {
    return [...this.images.values()];
  }

  /** The image a fully qualified tag or digest reference points at. */
  byReference(full: string): ImageRecord | undefined {
    for (const rec of this.images.values()) {
      if (rec.repoTags.includes(full) || rec.repoDigests.includes(full)) return rec;
    }
    return undefined;
  }

  /**
   * Runs fn on a copy of the records, persists the result, then publishes it.
   * Mutations are serialized; if fn or the write throws, nothing changes.
   */
  update<T>(fn: (images: Map<string, ImageRecord>) => T | Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const draft = new Map<string, ImageRecord>();
      for (const [k, v] of this.images) draft.set(k, structuredClone(v));
      const result = await fn(draft);
      const out: IndexFile = { schemaVersion: INDEX_SCHEMA_VERSION, images: Object.fromEntries(draft) };
      try {
        await writeFileAtomic(this.file, JSON.stringify(out, null, 1));
      } catch (err) {
        throw EngineError.wrap('internal', 'failed to write image index', err);
      }
      this.images = draft;
      return result;
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Serializes an arbitrary critical section with index updates (without writing). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.queue.then(fn, fn);
    this.queue = p.catch(() => undefined);
    return p;
  }
}
