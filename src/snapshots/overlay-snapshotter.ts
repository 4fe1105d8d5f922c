import { existsSync, readdirSync, rmSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Mount } from '../mount/types.js';
import { EngineError, conflict, notFound } from '../shared/errors.js';
import { KeyedLock } from '../shared/keyed-lock.js';
import { SnapshotMetadata, type SnapshotRecord } from './snapshot-metadata.js';
import type { SnapshotInfo, Snapshotter } from './snapshotter.js';
import { isoTime } from '../shared/iso-time.js';

/** mount(2) data must fit one page; keep a margin for upperdir/workdir and options. */
const MOUNT_DATA_MAX = 4095;

/**
 * Overlayfs snapshotter rooted at `<data-root>/snapshots/overlay`:
 * ```
 * metadata.json            key -> {id, kind, parent, created}, schemaVersion 1
 * snapshots/<id>/fs        the layer (upper dir while active)
 * snapshots/<id>/work      overlay workdir (active only)
 * ```
 * Mounts: active without parent -> rw bind of fs; active with parents -> overlay
 * (lowerdir = parent chain top-first); view with one parent -> ro bind; view with
 * more -> ro overlay of lowers only; view without parent -> ro bind of an empty fs.
 * Lowerdir lists use absolute paths; the limit is what fits in one page of mount data
 * (about 75 layers with the default data root); deeper chains fail with "max depth exceeded".
 *
 * @example
 *   const sn = new OverlaySnapshotter('/var/lib/berth/snapshots/overlay');
 *   await sn.prepare('tmp-1', parentChainId);
 *   await applyLayer(tar, sn.upperDir('tmp-1'));
 *   await sn.commit(chainId, 'tmp-1');
 */
export class OverlaySnapshotter implements Snapshotter {
  private readonly deleting = new Set<Promise<void>>();
  private readonly meta: SnapshotMetadata;
  private readonly locks = new KeyedLock();
  private readonly dataDir: string;

  constructor(readonly root: string) {
    this.meta = new SnapshotMetadata(root);
    this.dataDir = join(root, 'snapshots');
    this.sweepOrphans();
  }

  async stat(key: string): Promise<SnapshotInfo | undefined> {
    const r = this.meta.records.get(key);
    return r ? info(key, r) : undefined;
  }

  async list(): Promise<SnapshotInfo[]> {
    return [...this.meta.records].map(([k, r]) => info(k, r));
  }

  async prepare(key: string, parent: string | null, labels?: Record<string, string>): Promise<Mount[]> {
    return this.create('active', key, parent, labels);
  }

  async view(key: string, parent: string | null): Promise<Mount[]> {
    return this.create('view', key, parent);
  }

  async mounts(key: string): Promise<Mount[]> {
    return this.mountsOf(key, this.get(key));
  }

  async commit(name: string, key: string): Promise<void> {
    await this.locks.run(key, () =>
      this.locks.run(name, async () => {
        const r = this.get(key);
        if (r.kind !== 'active') {
          throw new EngineError('invalid-argument', `failed to commit snapshot ${key}: snapshot ${key} is not active`);
        }
        if (this.meta.records.has(name)) throw conflict(`snapshot ${name}: already exists`);
        this.meta.records.delete(key);
        this.meta.records.set(name, { ...r, kind: 'committed', created: isoTime() });
        await this.meta.save();
        await rm(this.workDir(r.id), { recursive: true, force: true });
      }),
    );
  }

  async remove(key: string): Promise<void> {
    await this.locks.run(key, async () => {
      const r = this.get(key);
      for (const [k, other] of this.meta.records) {
        if (other.parent === key) throw conflict(`failed to remove snapshot ${key}: cannot remove snapshot with child ${k}`);
      }
      this.meta.records.delete(key);
      await this.meta.save();
      const dir = this.dirOf(r.id);
      const doomed = join(this.dataDir, `rm-${r.id}`);
      try {
        await rename(dir, doomed);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw EngineError.wrap('internal', `failed to remove snapshot ${key}`, err);
        return;
      }
      // Deleting the files is off the caller's path; a crash leaves rm-* dirs that open() sweeps.
      const gone: Promise<void> = rm(doomed, { recursive: true, force: true })
        .catch(() => {})
        .finally(() => this.deleting.delete(gone));
      this.deleting.add(gone);
    });
  }

  /** Resolves once the files of removed snapshots are deleted (remove() returns before that). */
  async idle(): Promise<void> {
    await Promise.all([...this.deleting]);
  }

  upperDir(key: string): string {
    return join(this.dirOf(this.get(key).id), 'fs');
  }

  async graphData(key: string, mergedDir?: string): Promise<Record<string, string>> {
    const r = this.get(key);
    const lowers = this.parentChain(r).map((p) => this.fsDir(p.id));
    const data: Record<string, string> = {};
    if (lowers.length) data.LowerDir = lowers.join(':');
    if (mergedDir) data.MergedDir = mergedDir;
    data.UpperDir = this.fsDir(r.id);
    data.WorkDir = this.workDir(r.id);
    return data;
  }

  private async create(kind: 'active' | 'view', key: string, parent: string | null, labels?: Record<string, string>): Promise<Mount[]> {
    return this.locks.run(key, async () => {
      if (this.meta.records.has(key)) throw conflict(`snapshot ${key}: already exists`);
      if (parent !== null) {
        const p = this.meta.records.get(parent);
        if (!p) throw notFound(`failed to prepare snapshot ${key}: parent snapshot ${parent} does not exist`);
        if (p.kind !== 'committed') throw new EngineError('invalid-argument', `failed to prepare snapshot ${key}: parent ${parent} is not committed`);
      }
      const r: SnapshotRecord = { id: this.meta.allocateId(), kind, parent, created: isoTime() };
      if (labels && Object.keys(labels).length) r.labels = labels;
      const mounts = this.mountsOf(key, r);
      this.meta.records.set(key, r);
      try {
        await mkdir(this.fsDir(r.id), { recursive: true, mode: 0o755 });
        if (kind === 'active') await mkdir(this.workDir(r.id), { recursive: true, mode: 0o700 });
        await this.meta.save();
      } catch (err) {
        this.meta.records.delete(key);
        await rm(this.dirOf(r.id), { recursive: true, force: true });
        throw EngineError.wrap('internal', `failed to prepare snapshot ${key}`, err);
      }
      return mounts;
    });
  }

  private mountsOf(key: string, r: SnapshotRecord): Mount[] {
    const lowers = this.parentChain(r).map((p) => this.fsDir(p.id));
    if (r.kind !== 'active') {
      if (lowers.length === 0) return [{ type: 'bind', source: this.fsDir(r.id), options: ['ro', 'rbind'] }];
      if (lowers.length === 1) return [{ type: 'bind', source: lowers[0], options: ['ro', 'rbind'] }];
      return [{ type: 'overlay', source: 'overlay', options: checkLength(key, ['ro', `lowerdir=${lowers.join(':')}`]) }];
    }
    if (lowers.length === 0) return [{ type: 'bind', source: this.fsDir(r.id), options: ['rw', 'rbind'] }];
    const options = [`lowerdir=${lowers.join(':')}`, `upperdir=${this.fsDir(r.id)}`, `workdir=${this.workDir(r.id)}`];
    return [{ type: 'overlay', source: 'overlay', options: checkLength(key, options) }];
  }

  /** Parents of `r`, nearest first. */
  private parentChain(r: SnapshotRecord): SnapshotRecord[] {
    const out: SnapshotRecord[] = [];
    for (let p = r.parent; p !== null; ) {
      const pr = this.meta.records.get(p);
      if (!pr) throw new EngineError('internal', `failed to resolve snapshot chain: parent ${p} is missing`);
      out.push(pr);
      p = pr.parent;
    }
    return out;
  }

  private get(key: string): SnapshotRecord {
    const r = this.meta.records.get(key);
    if (!r) throw notFound(`snapshot ${key} does not exist`);
    return r;
  }

  private dirOf(id: number): string {
    return join(this.dataDir, String(id));
  }

  private fsDir(id: number): string {
    return join(this.dirOf(id), 'fs');
  }

  private workDir(id: number): string {
    return join(this.dirOf(id), 'work');
  }

  /** Directories without a record are left from a crash between mkdir and save (or a remove). */
  private sweepOrphans(): void {
    if (!existsSync(this.dataDir)) return;
    const ids = new Set([...this.meta.records.values()].map((r) => String(r.id)));
    for (const name of readdirSync(this.dataDir)) {
      if (!ids.has(name)) rmSync(join(this.dataDir, name), { recursive: true, force: true });
    }
  }
}

function checkLength(key: string, options: string[]): string[] {
  if (options.join(',').length > MOUNT_DATA_MAX) {
    throw new EngineError('invalid-argument', `failed to mount snapshot ${key}: max depth exceeded`);
  }
  return options;
}

function info(key: string, r: SnapshotRecord): SnapshotInfo {
  return { key, parent: r.parent, kind: r.kind, created: r.created };
}
