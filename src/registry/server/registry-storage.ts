import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ContentStore } from '../../content/index.js';
import type { Digest } from '../../shared/digest.js';
import { isDigest, sha256 } from '../../shared/digest.js';
import { EngineError } from '../../shared/errors.js';
import { RegistryError } from './registry-error.js';
import { RepoIndex, type ManifestRecord } from './repo-index.js';
import { KeyedLock } from '../../shared/keyed-lock.js';
import type { Ingest } from '../../content/index.js';
import { parseManifest } from './manifest-parse.js';

export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/**
 * The registry's storage, with no HTTP in it. On disk under `root`:
 *   content/        the content store (blobs by digest; uploads are its ingests, named by upload UUID)
 *   uploads/<uuid>  upload session (repository name)
 *   repositories/   per-repository index (see repo-index.ts)
 * A blob becomes visible only when an upload's digest verifies; a crash mid-upload leaves
 * only an ingest, dropped at the next start.
 */
export class RegistryStorage {
  readonly content: ContentStore;
  readonly repos: RepoIndex;
  /** Upload writers stay open between requests (no re-hash per chunk); one request at a time per upload. */
  private readonly writers = new Map<string, Ingest>();
  private readonly uploadLocks = new KeyedLock();

  constructor(readonly root: string) {
    this.content = new ContentStore(join(root, 'content'));
    this.repos = new RepoIndex(root);
  }

  /** Prepare the layout; upload sessions of a previous run are dropped with their ingests. */
  async init(): Promise<void> {
    await rm(join(this.root, 'uploads'), { recursive: true, force: true });
    await mkdir(join(this.root, 'uploads'), { recursive: true });
    await this.content.cleanupIngests();
  }

  private async linked(name: string, digest: Digest): Promise<boolean> {
    const repo = await this.repos.read(name);
    return !!repo && (repo.blobs.includes(digest) || digest in repo.manifests);
  }

  async statBlob(name: string, digest: Digest): Promise<{ size: number }> {
    if (!(await this.linked(name, digest))) throw new RegistryError('BLOB_UNKNOWN', { digest });
    const info = await this.content.info(digest);
    if (!info) throw new RegistryError('BLOB_UNKNOWN', { digest });
    return { size: info.size };
  }

  readBlob(digest: Digest, range?: { start: number; end: number }): Readable {
    return this.content.createReadStream(digest, range);
  }

  async deleteBlob(name: string, digest: Digest): Promise<void> {
    const removed = await this.repos.update(name, (r) => {
      const i = r.blobs.indexOf(digest);
      if (i >= 0) r.blobs.splice(i, 1);
      return i >= 0;
    });
    if (!removed) throw new RegistryError('BLOB_UNKNOWN', { digest });
  }

  /** Cross-repository mount: link an existing blob of `from` into `name`. */
  async mountBlob(name: string, from: string, digest: Digest): Promise<boolean> {
    if (!(await this.linked(from, digest)) || !(await this.content.has(digest))) return false;
    await this.link(name, digest);
    return true;
  }

  private async link(name: string, digest: Digest): Promise<void> {
    await this.repos.update(name, (r) => {
      if (!r.blobs.includes(digest)) r.blobs.push(digest);
    });
  }

  // --- uploads ---

  async startUpload(name: string): Promise<string> {
    const uuid = randomUUID();
    await writeFile(join(this.root, 'uploads', uuid), JSON.stringify({ name }));
    return uuid;
  }

  private async uploadRepo(uuid: string): Promise<string> {
    if (!/^[0-9a-f-]{36}$/.test(uuid)) throw new RegistryError('BLOB_UPLOAD_UNKNOWN');
    try {
      return (JSON.parse(await readFile(join(this.root, 'uploads', uuid), 'utf8')) as { name: string }).name;
    } catch {
      throw new RegistryError('BLOB_UPLOAD_UNKNOWN');
    }
  }

  private async writer(name: string, uuid: string): Promise<Ingest> {
    if ((await this.uploadRepo(uuid)) !== name) throw new RegistryError('BLOB_UPLOAD_UNKNOWN');
    let w = this.writers.get(uuid);
    if (!w) {
      w = await this.content.openWriter({ ref: uuid });
      this.writers.set(uuid, w);
    }
    return w;
  }

  private async endUpload(uuid: string): Promise<void> {
    this.writers.delete(uuid);
    await rm(join(this.root, 'uploads', uuid), { force: true });
  }

  async uploadOffset(name: string, uuid: string): Promise<number> {
    return this.uploadLocks.run(uuid, async () => (await this.writer(name, uuid)).offset);
  }

  /** Append a chunk; `start` (from Content-Range) must equal the current offset. Returns the new offset. */
  async appendUpload(name: string, uuid: string, body: Readable, start?: number): Promise<number> {
    return this.uploadLocks.run(uuid, async () => {
      const w = await this.writer(name, uuid);
      if (start !== undefined && start !== w.offset) throw new RegistryError('RANGE_INVALID', { offset: w.offset }, undefined, 416);
      await w.pipeFrom(body);
      return w.offset;
    });
  }

  /** Finish an upload (with an optional last chunk) and verify its digest. */
  async completeUpload(name: string, uuid: string, digest: string, body?: Readable): Promise<Digest> {
    if (!isDigest(digest)) throw new RegistryError('DIGEST_INVALID', { digest });
    await this.uploadLocks.run(uuid, async () => {
      const w = await this.writer(name, uuid);
      try {
        if (body) await w.pipeFrom(body);
        await w.commit(digest);
      } catch (err) {
        await w.abort();
        if (EngineError.is(err, 'invalid-argument')) throw new RegistryError('DIGEST_INVALID', { digest });
        throw err;
      } finally {
        await this.endUpload(uuid);
      }
    });
    await this.link(name, digest);
    return digest;
  }

  async cancelUpload(name: string, uuid: string): Promise<void> {
    await this.uploadLocks.run(uuid, async () => {
      const w = await this.writer(name, uuid);
      await w.abort();
      await this.endUpload(uuid);
    });
  }

  // --- manifests ---

  async resolveManifest(name: string, reference: string): Promise<{ digest: Digest; record: ManifestRecord }> {
    const repo = await this.repos.read(name);
    if (!repo) throw new RegistryError('NAME_UNKNOWN', { name });
    const digest = isDigest(reference) ? reference : repo.tags[reference];
    const record = digest ? repo.manifests[digest] : undefined;
    if (!digest || !record) throw new RegistryError('MANIFEST_UNKNOWN', { tag: reference });
    return { digest, record };
  }

  async readManifest(digest: Digest): Promise<Buffer> {
    return this.content.readBuffer(digest);
  }

  async putManifest(name: string, reference: string, body: Buffer, contentType: string | undefined): Promise<{ digest: Digest; subject?: Digest }> {
    if (body.length > MAX_MANIFEST_BYTES) {
      throw new RegistryError('MANIFEST_INVALID', { reason: `manifest exceeds ${MAX_MANIFEST_BYTES} bytes` }, 'manifest too large', 413);
    }
    const digest = sha256(body);
    if (isDigest(reference) && reference !== digest) throw new RegistryError('DIGEST_INVALID', { digest: reference });
    const parsed = parseManifest(body, contentType);
    const repo = await this.repos.read(name);
    for (const b of parsed.blobs) {
      if (!repo?.blobs.includes(b) || !(await this.content.has(b))) throw new RegistryError('MANIFEST_BLOB_UNKNOWN', { digest: b });
    }
    for (const c of parsed.children) {
      if (!repo?.manifests[c]) throw new RegistryError('MANIFEST_BLOB_UNKNOWN', { digest: c });
    }
    await this.content.put(body, digest);
    await this.repos.update(name, (r) => {
      r.manifests[digest] = parsed.record;
      if (!isDigest(reference)) r.tags[reference] = digest;
    });
    return { digest, subject: parsed.record.subject };
  }

  async deleteManifest(name: string, reference: string): Promise<void> {
    const { digest } = await this.resolveManifest(name, reference);
    await this.repos.update(name, (r) => {
      if (!isDigest(reference)) {
        delete r.tags[reference];
        return;
      }
      delete r.manifests[digest];
      for (const [t, d] of Object.entries(r.tags)) if (d === digest) delete r.tags[t];
    });
  }

  async tags(name: string): Promise<string[]> {
    const repo = await this.repos.read(name);
    if (!repo) throw new RegistryError('NAME_UNKNOWN', { name });
    return Object.keys(repo.tags).sort();
  }

  async referrers(name: string, subject: Digest, artifactType?: string): Promise<object[]> {
    const repo = await this.repos.read(name);
    const out: object[] = [];
    for (const [digest, rec] of Object.entries(repo?.manifests ?? {})) {
      if (rec.subject !== subject) continue;
      if (artifactType && rec.artifactType !== artifactType) continue;
      out.push({
        mediaType: rec.mediaType,
        digest,
        size: rec.size,
        ...(rec.artifactType ? { artifactType: rec.artifactType } : {}),
        ...(rec.annotations ? { annotations: rec.annotations } : {}),
      });
    }
    return out;
  }
}
