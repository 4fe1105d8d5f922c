import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Digest } from '../../shared/digest.js';
import { writeFileAtomic } from '../../images/image-index.js';

/**
 * On-disk layout of the registry client's memory (drawn once, here):
 *
 *   <data-root>/registry-client/state.json
 *     {"schemaVersion":1,
 *      "compressed": {"<diffID>": {"digest":"sha256:..","size":N,"mediaType":".."}},  gzip made for push
 *      "sources":    {"<blob digest>": ["127.0.0.1:5000/library/busybox", ...]}}   repos a blob came from
 *
 * Lost or stale entries only cost a re-compress or a plain upload instead of a mount:
 * every use is checked against the content store / registry first.
 */
export const CLIENT_STATE_SCHEMA = 1;

/** A compressed layer blob made for push. */
export interface CompressedBlob {
  digest: Digest;
  size: number;
  mediaType: string;
}

interface StateFile {
  schemaVersion: number;
  compressed: Record<string, CompressedBlob>;
  sources: Record<string, string[]>;
}

/** The registry client's persisted memory: diffID -> compressed blob, blob -> source repos. */
export class ClientState {
  private data: StateFile = { schemaVersion: CLIENT_STATE_SCHEMA, compressed: {}, sources: {} };
  private saving: Promise<void> = Promise.resolve();
  private dirty = false;

  private constructor(private readonly file: string | undefined) {}

  /** Opens `<dir>/state.json`; no dir keeps state in memory only. */
  static async open(dir?: string): Promise<ClientState> {
    const s = new ClientState(dir ? path.join(dir, 'state.json') : undefined);
    if (!dir) return s;
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
    try {
      const obj = JSON.parse(await fsp.readFile(s.file!, 'utf8')) as StateFile;
      if (obj.schemaVersion === CLIENT_STATE_SCHEMA) s.data = { schemaVersion: CLIENT_STATE_SCHEMA, compressed: obj.compressed ?? {}, sources: obj.sources ?? {} };
    } catch {
      // missing or unreadable: start empty (only a cache)
    }
    return s;
  }

  compressed(diffId: Digest): CompressedBlob | undefined {
    return this.data.compressed[diffId];
  }

  setCompressed(diffId: Digest, blob: CompressedBlob): void {
    this.data.compressed[diffId] = blob;
    this.dirty = true;
  }

  /** Repositories (`host/path`) the blob is known to exist in. */
  sources(d: Digest): string[] {
    return this.data.sources[d] ?? [];
  }

  addSource(d: Digest, repo: string): void {
    const list = (this.data.sources[d] ??= []);
    if (!list.includes(repo)) {
      list.push(repo);
      if (list.length > 8) list.shift();
      this.dirty = true;
    }
  }

  /** Persists (serialized; failures are ignored: this is a cache). */
  save(): Promise<void> {
    if (!this.file || !this.dirty) return this.saving;
    this.dirty = false;
    const file = this.file;
    this.saving = this.saving.then(() => writeFileAtomic(file, JSON.stringify(this.data)).catch(() => undefined));
    return this.saving;
  }
}
