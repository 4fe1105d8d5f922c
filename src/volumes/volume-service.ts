import type { Volume } from '../api/types.js';
import { EngineError, conflict, notFound } from '../shared/errors.js';
import type { Filters } from '../shared/filters.js';
import { newId } from '../shared/ids.js';
import { KeyedLock } from '../shared/keyed-lock.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import { copyUp } from './copy-up.js';
import { dirUsage } from './dir-usage.js';
import { DeviceMounts } from './device-mounts.js';
import { LOCAL_DRIVER, validateOptions, validateVolumeName } from './local-driver.js';
import { ANONYMOUS_LABEL, volumeListFilter, volumePruneFilter, type FilterSubject } from './volume-filters.js';
import { realVolumeHost, type VolumeHost } from './volume-host.js';
import { SCHEMA_VERSION, VolumeRecords, type VolumeRecord } from './volume-records.js';
import { isoTime } from '../shared/iso-time.js';

/** A volume event (structurally the events module's EventInput). */
export interface VolumeEvent {
  Type: 'volume';
  Action: 'create' | 'mount' | 'unmount' | 'destroy' | 'prune';
  Actor: { ID: string; Attributes: Record<string, string> };
}

/** Body of `POST /volumes/create`. */
export interface VolumeCreateRequest {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

/** A volume with its usage, as `GET /system/df` shows it. */
export type VolumeWithUsage = Volume & { UsageData: { Size: number; RefCount: number } };

/** A volume a container holds: what its mount needs. */
export interface AttachedVolume {
  name: string;
  driver: string;
  mountpoint: string;
}

export interface VolumeServiceOptions {
  /** `<data-root>/volumes`. */
  root: string;
  /** Mounting of volume devices and the mount table; default the real host. */
  host?: VolumeHost;
  publish?: (e: VolumeEvent) => void;
  logger?: Logger;
}

/** RFC 3339 in the daemon's time zone, seconds precision (Go's time.RFC3339). */
function rfc3339(iso: string): string {
  const d = new Date(iso);
  const off = -d.getTimezoneOffset();
  const local = isoTime(d.getTime() + off * 60_000).replace(/\.\d+Z$/, '');
  if (off === 0) return `${local}Z`;
  const a = Math.abs(off);
  return `${local}${off > 0 ? '+' : '-'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

const sorted = (m: Record<string, string> | null): Record<string, string> | null =>
  m && Object.fromEntries(Object.keys(m).sort().map((k) => [k, m[k]!]));

/**
 * Volumes with the `local` driver: records on disk, which containers use each volume
 * (rebuilt from the container records at boot), devices mounted while containers use them.
 *
 * Lifecycle of a volume a container uses: `acquire()` at container create (creates it when
 * missing, adds the container's reference) -> `populate()` (copy-up, at create) ->
 * `mount()` at every start, `unmount()` at every exit -> `release()` at container removal,
 * then `remove()` for anonymous ones with `rm -v`. A referenced volume cannot be removed or
 * pruned ("volume is in use").
 *
 * @example
 *   const volumes = await VolumeService.open({ root: '/var/lib/berth/volumes', publish });
 *   const v = await volumes.create({ Name: 'data' });
 *   const { name, mountpoint } = await volumes.acquire('data', containerId);
 */
export class VolumeService {
  private readonly records = new Map<string, VolumeRecord>();
  /** Volume name -> ids of the containers that use it (created or running). */
  private readonly refs = new Map<string, Set<string>>();
  private readonly devices: DeviceMounts;
  private readonly locks = new KeyedLock();
  private readonly store: VolumeRecords;
  private readonly host: VolumeHost;
  private readonly log: Logger;
  private pruning = false;

  private constructor(private readonly o: VolumeServiceOptions) {
    this.host = o.host ?? realVolumeHost;
    this.store = new VolumeRecords(o.root, (dir) => this.host.mountedUnder(dir));
    this.log = o.logger ?? silentLogger;
    this.devices = new DeviceMounts(this.host, (name) => this.store.paths(name).data, this.log);
  }

  /** Reads the records (finishing what a crash interrupted). References come from restore(). */
  static async open(o: VolumeServiceOptions): Promise<VolumeService> {
    const svc = new VolumeService(o);
    for (const rec of await svc.store.load((name, err) => svc.log.warn('skipping unreadable volume record', { name, err }))) {
      svc.records.set(rec.name, rec);
      svc.devices.adopt(rec);
    }
    return svc;
  }

  private emit(action: VolumeEvent['Action'], id: string, attrs: Record<string, string>): void {
    try {
      this.o.publish?.({ Type: 'volume', Action: action, Actor: { ID: id, Attributes: attrs } });
    } catch (err) {
      this.log.warn('failed to publish volume event', { action, err });
    }
  }

  /** The API's Volume; maps in key order, as Go marshals them. */
  private view(rec: VolumeRecord): Volume {
    return {
      CreatedAt: rfc3339(rec.createdAt),
      Driver: rec.driver,
      Labels: sorted(rec.labels) as Record<string, string>,
      Mountpoint: this.store.paths(rec.name).data,
      Name: rec.name,
      Options: sorted(rec.options) as Record<string, string>,
      Scope: 'local',
    };
  }

  private subject(rec: VolumeRecord): FilterSubject {
    return { name: rec.name, driver: rec.driver, labels: rec.labels, inUse: (this.refs.get(rec.name)?.size ?? 0) > 0 };
  }

  private get(name: string): VolumeRecord {
    const rec = this.records.get(name);
    if (!rec) throw notFound(`get ${name}: no such volume`);
    return rec;
  }

  /** `GET /volumes`, sorted by name. */
  list(filters: Filters = new Map()): { Volumes: Volume[]; Warnings: null } {
    const keep = volumeListFilter(filters);
    const recs = [...this.records.values()].filter((r) => keep(this.subject(r)));
    recs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { Volumes: recs.map((r) => this.view(r)), Warnings: null };
  }

  /** `GET /volumes/{name}`. */
  inspect(name: string): Volume {
    return this.view(this.get(name));
  }

  /** `POST /volumes/create`: an existing name returns that volume; no name makes an anonymous one. */
  async create(req: VolumeCreateRequest): Promise<Volume> {
    const { rec } = await this.createOrGet(req.Name ?? '', req.Driver ?? '', req.DriverOpts, req.Labels);
    return this.view(rec);
  }

  private async createOrGet(
    rawName: string,
    rawDriver: string,
    opts: Record<string, string> | null | undefined,
    labels: Record<string, string> | null | undefined,
    then?: (rec: VolumeRecord) => void,
  ): Promise<{ rec: VolumeRecord; created: boolean }> {
    const anonymous = rawName === '';
    const name = anonymous ? newId() : rawName;
    const driver = rawDriver || LOCAL_DRIVER;
    return this.locks.run(name, async () => {
      try {
        validateVolumeName(name);
        if (driver !== LOCAL_DRIVER) throw notFound(`error looking up volume plugin ${driver}: plugin "${driver}" not found`);
        const existing = this.records.get(name);
        if (existing) {
          then?.(existing);
          return { rec: existing, created: false };
        }
        validateOptions(opts);
      } catch (err) {
        throw EngineError.is(err) ? new EngineError(err.kind, `create ${name}: ${err.message}`, { cause: err }) : err;
      }
      const allLabels = anonymous ? { ...(labels ?? {}), [ANONYMOUS_LABEL]: '' } : labels;
      const rec: VolumeRecord = {
        schemaVersion: SCHEMA_VERSION,
        name,
        driver,
        createdAt: isoTime(),
        labels: allLabels && Object.keys(allLabels).length ? { ...allLabels } : null,
        options: opts && Object.keys(opts).length ? { ...opts } : null,
      };
      await this.store.create(rec);
      this.records.set(name, rec);
      then?.(rec);
      this.emit('create', name, { driver });
      return { rec, created: true };
    });
  }

  /**
   * `DELETE /volumes/{name}`: refused while a container uses it (Docker's
   * `remove x: volume is in use - [ids]`); with `force`, a missing volume is not an error.
   */
  async remove(name: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.locks.run(name, async () => {
      const rec = this.records.get(name);
      if (!rec) {
        if (opts.force) return;
        throw notFound(`get ${name}: no such volume`);
      }
      const users = [...(this.refs.get(name) ?? [])].sort();
      if (users.length) throw conflict(`remove ${name}: volume is in use - [${users.join(', ')}]`);
      await this.destroy(rec);
    });
  }

  /** Drops an unused volume: its device unmounted, its directory and record gone. Caller holds the lock. */
  private async destroy(rec: VolumeRecord): Promise<void> {
    this.devices.drop(rec);
    await this.store.remove(rec.name);
    this.records.delete(rec.name);
    this.refs.delete(rec.name);
    this.emit('destroy', rec.name, { driver: rec.driver });
  }

  /**
   * `POST /volumes/prune`: unused local volumes without driver options, anonymous ones only
   * unless the `all` filter is true (the HTTP edge sets it for API < 1.42).
   */
  async prune(filters: Filters = new Map()): Promise<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }> {
    const keep = volumePruneFilter(filters);
    if (this.pruning) throw conflict('a prune operation is already running');
    this.pruning = true;
    try {
      const deleted: string[] = [];
      let reclaimed = 0;
      for (const rec of [...this.records.values()]) {
        if (rec.options || !keep(this.subject(rec))) continue;
        await this.locks.run(rec.name, async () => {
          if (!this.records.has(rec.name) || (this.refs.get(rec.name)?.size ?? 0) > 0) return;
          const size = await dirUsage(this.store.paths(rec.name).data);
          try {
            await this.destroy(rec);
          } catch (err) {
            this.log.warn('failed to prune volume', { name: rec.name, err });
            return;
          }
          reclaimed += Math.max(size, 0);
          deleted.push(rec.name);
        });
      }
      this.emit('prune', '', { reclaimed: String(reclaimed) });
      return { VolumesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
    } finally {
      this.pruning = false;
    }
  }

  /** `GET /system/df`: local volumes without driver options, with size and reference count. */
  async usage(): Promise<VolumeWithUsage[]> {
    const out: VolumeWithUsage[] = [];
    for (const v of this.list().Volumes) {
      if (v.Options) continue;
      out.push({ ...v, UsageData: { Size: await dirUsage(v.Mountpoint), RefCount: this.refs.get(v.Name)?.size ?? 0 } });
    }
    return out;
  }

  /** Names of the containers (ids) using a volume, sorted. */
  users(name: string): string[] {
    return [...(this.refs.get(name) ?? [])].sort();
  }

  private addRef(name: string, containerId: string): void {
    const set = this.refs.get(name) ?? new Set<string>();
    set.add(containerId);
    this.refs.set(name, set);
  }

  /**
   * Container create: the volume `name` ('' = a new anonymous one), created when missing,
   * now referenced by the container. With `mustExist` (--volumes-from) a missing volume is
   * an error instead.
   */
  async acquire(
    name: string,
    containerId: string,
    opts: { driver?: string; driverOpts?: Record<string, string>; labels?: Record<string, string>; mustExist?: boolean } = {},
  ): Promise<AttachedVolume> {
    if (opts.mustExist) {
      return this.locks.run(name, async () => {
        const rec = this.get(name);
        this.addRef(name, containerId);
        return { name, driver: rec.driver, mountpoint: this.store.paths(name).data };
      });
    }
    const { rec } = await this.createOrGet(name, opts.driver ?? '', opts.driverOpts, opts.labels, (r) => this.addRef(r.name, containerId));
    return { name: rec.name, driver: rec.driver, mountpoint: this.store.paths(rec.name).data };
  }

  /** The container no longer uses the volume (container removed, or its create failed). */
  release(name: string, containerId: string): void {
    const set = this.refs.get(name);
    if (!set) return;
    set.delete(containerId);
    if (set.size === 0) this.refs.delete(name);
  }

  /**
   * Copy-up: the image's directory `source` (resolved inside the container's rootfs) is
   * copied into the volume when the volume is empty. A volume with a device is mounted for
   * the copy (and unmounted again when no container has it mounted, as dockerd does).
   */
  async populate(name: string, source: string): Promise<void> {
    await this.locks.run(name, async () => {
      const rec = this.get(name);
      await this.devices.whileMounted(rec, async () => {
        try {
          await copyUp(source, this.store.paths(name).data);
        } catch (err) {
          throw EngineError.wrap('internal', `failed to populate volume ${name}`, err);
        }
      });
    });
  }

  /**
   * Container start: the volume's data path for the container's bind mount; the device is
   * mounted on first use. Publishes `mount`.
   */
  async mount(name: string, containerId: string, info: { destination: string; rw: boolean; propagation: string }): Promise<string> {
    return this.locks.run(name, async () => {
      const rec = this.get(name);
      this.devices.mount(rec, containerId);
      this.emit('mount', name, { container: containerId, destination: info.destination, driver: rec.driver, propagation: info.propagation, 'read/write': String(info.rw) });
      return this.store.paths(name).data;
    });
  }

  /** Container exit: the device is unmounted when no running container has the volume. Publishes `unmount`. */
  async unmount(name: string, containerId: string): Promise<void> {
    await this.locks.run(name, async () => {
      const rec = this.records.get(name);
      if (!rec || !this.devices.unmount(rec, containerId)) return;
      this.emit('unmount', name, { container: containerId, driver: rec.driver });
    });
  }

  /**
   * Daemon boot: the references of every container record and the mounts of the running
   * ones (their volumes stayed mounted while berthd was away). Devices mounted for no running
   * container are unmounted.
   */
  restore(users: { containerId: string; volumes: string[]; running: boolean }[]): void {
    this.refs.clear();
    const running: { containerId: string; rec: VolumeRecord }[] = [];
    for (const u of users) {
      for (const name of u.volumes) {
        const rec = this.records.get(name);
        if (!rec) {
          this.log.warn('container uses a volume that does not exist', { container: u.containerId, volume: name });
          continue;
        }
        this.addRef(name, u.containerId);
        if (u.running) running.push({ containerId: u.containerId, rec });
      }
    }
    this.devices.restore(running, this.records.values());
  }
}

