import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../shared/errors.js';
import { isoTime } from '../shared/iso-time.js';

/**
 * On-disk layout owned by this file (drawn once):
 * ```
 * <data-root>/volumes/<name>/volume.json    VolumeRecord (schemaVersion 1), temp + fsync + rename
 * <data-root>/volumes/<name>/_data          the volume's data (or where its device is mounted)
 * <data-root>/volumes/.removing-<name>-<r>  a volume being deleted (renamed aside, then removed)
 * <data-root>/volumes/<name>/.volume.json.<r>.tmp   an unfinished record write (removed at open)
 * ```
 * A volume exists once its record does: creation makes `_data` first and writes the record
 * last, removal renames the directory aside first. A kill -9 in between leaves a directory
 * without a record (dropped at open when `_data` is empty) or a `.removing-` directory
 * (deleted at open). Records written by berth before schema 1 (the API's Volume shape) are
 * read and rewritten.
 */
export const SCHEMA_VERSION = 1;

const RECORD = 'volume.json';
const DATA = '_data';
const TRASH_PREFIX = '.removing-';

/** A volume as persisted. Reference counts are not stored: they are rebuilt from containers. */
export interface VolumeRecord {
  schemaVersion: number;
  name: string;
  driver: string;
  /** RFC 3339 (UTC) creation time. */
  createdAt: string;
  labels: Record<string, string> | null;
  /** Local driver options (`type`, `device`, `o`, `size`) as given. */
  options: Record<string, string> | null;
}

/** Paths of one volume. */
export function volumePaths(root: string, name: string): { dir: string; record: string; data: string } {
  const dir = join(root, name);
  return { dir, record: join(dir, RECORD), data: join(dir, DATA) };
}

/** Pre-schema records: the API's Volume object. */
interface LegacyRecord {
  Name: string;
  Driver?: string;
  CreatedAt?: string;
  Labels?: Record<string, string> | null;
  Options?: Record<string, string> | null;
}

function fromDisk(raw: unknown, name: string): { rec: VolumeRecord; legacy: boolean } {
  const r = raw as Partial<VolumeRecord> & Partial<LegacyRecord>;
  if (r.schemaVersion === SCHEMA_VERSION && r.name === name) return { rec: r as VolumeRecord, legacy: false };
  if (r.schemaVersion === undefined && r.Name === name) {
    const labels = r.Labels && Object.keys(r.Labels).length ? r.Labels : null;
    const options = r.Options && Object.keys(r.Options).length ? r.Options : null;
    return { rec: { schemaVersion: SCHEMA_VERSION, name, driver: r.Driver || 'local', createdAt: r.CreatedAt ?? isoTime(0), labels, options }, legacy: true };
  }
  throw new Error(`unknown volume record (schema ${String(r.schemaVersion)}, name ${String(r.name ?? r.Name)})`);
}

async function writeSynced(path: string, data: string): Promise<void> {
  const fh = await open(path, 'wx', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r').catch(() => undefined);
  if (!fh) return;
  try {
    await fh.sync();
  } catch {
    // some filesystems refuse fsync on directories
  } finally {
    await fh.close();
  }
}

/**
 * Reads and writes volume records under one root (`<data-root>/volumes`).
 *
 * @example
 *   const store = new VolumeRecords('/var/lib/berth/volumes');
 *   const recs = await store.load((name, err) => log.warn('bad volume record', { name, err }));
 *   await store.create({ schemaVersion: 1, name: 'data', driver: 'local', createdAt, labels: null, options: null });
 */
export class VolumeRecords {
  /**
   * `mountedUnder(dir)` says whether anything is mounted at or below `dir`: such a directory
   * (a volume whose device could not be unmounted) is never deleted, so a bind-mounted host
   * directory can never be emptied by a removal.
   */
  constructor(
    readonly root: string,
    private readonly mountedUnder: (dir: string) => boolean = () => false,
  ) {}

  paths(name: string): ReturnType<typeof volumePaths> {
    return volumePaths(this.root, name);
  }

  /**
   * Every volume on disk. Cleans up what a crash left: `.removing-` directories, temp record
   * files, directories without a record and an empty `_data` (a create that never finished).
   * A directory with data but no record is adopted (it gets a record). Unreadable records are
   * reported through `onBad` and left alone.
   */
  async load(onBad: (name: string, err: unknown) => void = () => {}): Promise<VolumeRecord[]> {
    await mkdir(this.root, { recursive: true, mode: 0o701 });
    const out: VolumeRecord[] = [];
    for (const name of await readdir(this.root)) {
      const p = this.paths(name);
      if (name.startsWith(TRASH_PREFIX)) {
        if (this.mountedUnder(p.dir)) onBad(name, new Error(`not deleting ${p.dir}: something is still mounted in it`));
        else await rm(p.dir, { recursive: true, force: true }).catch((err: unknown) => onBad(name, err));
        continue;
      }
      if (!(await stat(p.dir).catch(() => undefined))?.isDirectory()) continue;
      for (const f of await readdir(p.dir).catch(() => [] as string[])) {
        if (f.startsWith(`.${RECORD}.`) && f.endsWith('.tmp')) await rm(join(p.dir, f), { force: true });
      }
      let text: string | undefined;
      try {
        text = await readFile(p.record, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
          onBad(name, err);
          continue;
        }
      }
      try {
        if (text === undefined) {
          const adopted = await this.adopt(name);
          if (adopted) out.push(adopted);
          continue;
        }
        const { rec, legacy } = fromDisk(JSON.parse(text), name);
        if (legacy) await this.write(rec);
        out.push(rec);
      } catch (err) {
        onBad(name, err);
      }
    }
    return out;
  }

  /** A directory without a record: dropped when it holds nothing, otherwise kept as a volume. */
  private async adopt(name: string): Promise<VolumeRecord | undefined> {
    const p = this.paths(name);
    const data = await readdir(p.data).catch(() => undefined);
    if ((!data || data.length === 0) && !this.mountedUnder(p.dir)) {
      await rmdir(p.data).catch(() => {});
      await rm(p.dir, { recursive: true, force: true });
      return undefined;
    }
    const st = await stat(p.dir);
    const rec: VolumeRecord = { schemaVersion: SCHEMA_VERSION, name, driver: 'local', createdAt: isoTime(st.ctime.getTime()), labels: null, options: null };
    await this.write(rec);
    return rec;
  }

  /** Makes the volume's directories, then its record (the volume exists from then on). */
  async create(rec: VolumeRecord): Promise<void> {
    const p = this.paths(rec.name);
    try {
      await mkdir(p.dir, { mode: 0o701 });
      await mkdir(p.data, { mode: 0o755 });
      await this.write(rec);
    } catch (err) {
      await rm(p.dir, { recursive: true, force: true }).catch(() => {});
      throw EngineError.wrap('internal', `error while creating volume root path '${p.dir}'`, err);
    }
  }

  /** Atomic record write: unique temp file, fsync, rename, fsync of the directory. */
  async write(rec: VolumeRecord): Promise<void> {
    const p = this.paths(rec.name);
    const tmp = join(p.dir, `.${RECORD}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await writeSynced(tmp, JSON.stringify(rec));
      await rename(tmp, p.record);
      await syncDir(p.dir);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => {});
      throw EngineError.wrap('internal', `failed to save volume ${rec.name}`, err);
    }
  }

  /**
   * Removes the volume: its directory is renamed aside at once (the record disappears
   * atomically) and deleted; a crash before the deletion ends is finished by the next load().
   */
  async remove(name: string): Promise<void> {
    const p = this.paths(name);
    if (this.mountedUnder(p.dir)) throw new EngineError('internal', `error removing volume path '${p.dir}': its data directory is still mounted`);
    const trash = join(this.root, `${TRASH_PREFIX}${name}-${randomBytes(4).toString('hex')}`);
    try {
      await rename(p.dir, trash);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw EngineError.wrap('internal', `error removing volume path '${p.dir}'`, err);
    }
    await syncDir(this.root);
    await rm(trash, { recursive: true, force: true }).catch(() => {});
  }
}
