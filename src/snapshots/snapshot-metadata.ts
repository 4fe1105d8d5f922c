import { mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../shared/errors.js';
import type { SnapshotKind } from './snapshotter.js';

/** One snapshot record; `id` names its directory `snapshots/<id>`. */
export interface SnapshotRecord {
  id: number;
  kind: SnapshotKind;
  parent: string | null;
  created: string;
  labels?: Record<string, string>;
}

interface MetadataFile {
  schemaVersion: 1;
  nextId: number;
  snapshots: Record<string, SnapshotRecord>;
}

const SCHEMA_VERSION = 1;

/**
 * `metadata.json` of the overlay snapshotter: held in memory, loaded once, saved by
 * writing a temp file and renaming it over (saves that overlap are coalesced into one).
 */
export class SnapshotMetadata {
  readonly file: string;
  readonly records = new Map<string, SnapshotRecord>();
  private nextId = 1;
  private saving: Promise<void> | null = null;
  private dirty = false;

  constructor(root: string) {
    mkdirSync(root, { recursive: true });
    this.file = join(root, 'metadata.json');
    let raw: string | undefined;
    try {
      raw = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    if (raw === undefined) return;
    const data = JSON.parse(raw) as MetadataFile;
    if (data.schemaVersion !== SCHEMA_VERSION) {
      throw new EngineError('internal', `failed to load snapshot metadata: unsupported schema version ${data.schemaVersion}`);
    }
    this.nextId = data.nextId;
    for (const [k, v] of Object.entries(data.snapshots)) this.records.set(k, v);
  }

  allocateId(): number {
    return this.nextId++;
  }

  /** Persist the current state; resolves once a write that includes it has landed. */
  async save(): Promise<void> {
    this.dirty = true;
    while (this.saving) await this.saving;
    if (!this.dirty) return;
    this.dirty = false;
    this.saving = this.write().finally(() => {
      this.saving = null;
    });
    await this.saving;
  }

  private async write(): Promise<void> {
    const data: MetadataFile = { schemaVersion: SCHEMA_VERSION, nextId: this.nextId, snapshots: Object.fromEntries(this.records) };
    const tmp = `${this.file}.tmp`;
    await writeFile(tmp, JSON.stringify(data));
    await rename(tmp, this.file);
  }
}
