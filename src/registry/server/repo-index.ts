import { mkdir, readFile, readdir, rename, open } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Digest } from '../../shared/digest.js';
import { KeyedLock } from '../../shared/keyed-lock.js';

/**
 * Per-repository metadata of the registry server, drawn once here:
 *
 *   <root>/repositories/<name>/index.json  { schemaVersion: 1, tags, manifests, blobs }
 *
 * Blob bytes live in the shared content store (<root>/content); a repository only
 * *links* the digests it may serve, so a blob pushed to repo A is invisible in repo B
 * until B pushes or mounts it (the distribution registry's model). Writes are atomic
 * (temp file + fsync + rename) and serialized per repository.
 */
export const REPO_SCHEMA_VERSION = 1;

export interface ManifestRecord {
  mediaType: string;
  size: number;
  /** OCI `subject` digest, for the referrers API. */
  subject?: Digest;
  artifactType?: string;
  annotations?: Record<string, string>;
  /** Blobs and child manifests this manifest references (for GC). */
  refs: Digest[];
}

export interface RepoIndexData {
  schemaVersion: number;
  tags: Record<string, Digest>;
  manifests: Record<string, ManifestRecord>;
  blobs: Digest[];
}

const empty = (): RepoIndexData => ({ schemaVersion: REPO_SCHEMA_VERSION, tags: {}, manifests: {}, blobs: [] });

export class RepoIndex {
  private readonly locks = new KeyedLock();
  private readonly cache = new Map<string, RepoIndexData>();

  constructor(private readonly root: string) {}

  private dir(name: string): string {
    return join(this.root, 'repositories', name);
  }

  async read(name: string): Promise<RepoIndexData | undefined> {
    const hit = this.cache.get(name);
    if (hit) return hit;
    try {
      const data = JSON.parse(await readFile(join(this.dir(name), 'index.json'), 'utf8')) as RepoIndexData;
      if (data.schemaVersion !== REPO_SCHEMA_VERSION) throw new Error(`unsupported repository schema ${data.schemaVersion}`);
      this.cache.set(name, data);
      return data;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Read-modify-write under the repository's lock. */
  async update<T>(name: string, fn: (data: RepoIndexData) => T): Promise<T> {
    return this.locks.run(name, async () => {
      const cur = structuredClone((await this.read(name)) ?? empty());
      const out = fn(cur);
      await mkdir(this.dir(name), { recursive: true });
      const tmp = join(this.dir(name), `.index.${randomBytes(6).toString('hex')}`);
      const fh = await open(tmp, 'w');
      try {
        await fh.writeFile(JSON.stringify(cur));
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, join(this.dir(name), 'index.json'));
      this.cache.set(name, cur);
      return out;
    });
  }

  /** All repository names, sorted (for the catalog). */
  async names(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (rel: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(join(this.root, 'repositories', rel), { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (e.isFile() && e.name === 'index.json' && rel) out.push(rel);
        if (e.isDirectory()) await walk(rel ? `${rel}/${e.name}` : e.name);
      }
    };
    await walk('');
    return out.sort();
  }

  async writeRaw(name: string, data: RepoIndexData): Promise<void> {
    await this.update(name, (cur) => Object.assign(cur, data));
  }
}

