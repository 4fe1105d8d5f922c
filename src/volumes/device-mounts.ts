import { EngineError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { deviceMount, needsMount } from './local-driver.js';
import type { VolumeHost } from './volume-host.js';
import type { VolumeRecord } from './volume-records.js';

/**
 * Which running containers have each volume mounted, and the local driver's device mounts:
 * a volume with `type`/`device` options is mounted on its `_data` when the first container
 * mounts it and unmounted after the last one (dockerd's activeMount count). Callers hold the
 * volume's lock.
 */
export class DeviceMounts {
  /** Volume name -> ids of the running containers that have it mounted. */
  private readonly active = new Map<string, Set<string>>();
  /** Volumes whose device is mounted on `_data`. */
  private readonly mounted = new Set<string>();

  constructor(
    private readonly host: VolumeHost,
    private readonly dataOf: (name: string) => string,
    private readonly log: Logger,
  ) {}

  /** Boot: a device still mounted from before (its containers kept running). */
  adopt(rec: VolumeRecord): void {
    if (needsMount(rec.options) && this.host.mountedUnder(this.dataOf(rec.name))) this.mounted.add(rec.name);
  }

  /** The container mounts the volume; the device is mounted first when needed. */
  mount(rec: VolumeRecord, containerId: string): void {
    this.ensureDevice(rec);
    const set = this.active.get(rec.name) ?? new Set<string>();
    set.add(containerId);
    this.active.set(rec.name, set);
  }

  /** Returns false when the container had not mounted it. */
  unmount(rec: VolumeRecord, containerId: string): boolean {
    const set = this.active.get(rec.name);
    if (!set?.delete(containerId)) return false;
    if (set.size === 0) {
      this.active.delete(rec.name);
      this.releaseDevice(rec);
    }
    return true;
  }

  /** Runs `fn` with the volume's device mounted (for copy-up), unmounting it again when nobody uses it. */
  async whileMounted<T>(rec: VolumeRecord, fn: () => Promise<T>): Promise<T> {
    this.ensureDevice(rec);
    try {
      return await fn();
    } finally {
      if (!this.active.has(rec.name)) this.releaseDevice(rec);
    }
  }

  /** Before a removal: the device unmounted, the volume forgotten. */
  drop(rec: VolumeRecord): void {
    if (this.mounted.has(rec.name)) {
      this.host.unmount(this.dataOf(rec.name));
      this.mounted.delete(rec.name);
    }
    this.active.delete(rec.name);
  }

  /** Boot: the running containers' mounts; devices nobody runs with are unmounted. */
  restore(running: { containerId: string; rec: VolumeRecord }[], all: Iterable<VolumeRecord>): void {
    this.active.clear();
    for (const { containerId, rec } of running) {
      const set = this.active.get(rec.name) ?? new Set<string>();
      set.add(containerId);
      this.active.set(rec.name, set);
    }
    for (const rec of all) if (!this.active.has(rec.name)) this.releaseDevice(rec);
  }

  private ensureDevice(rec: VolumeRecord): void {
    if (!needsMount(rec.options) || this.mounted.has(rec.name)) return;
    const data = this.dataOf(rec.name);
    try {
      this.host.mount(deviceMount(rec.options!), data);
    } catch (err) {
      throw new EngineError('internal', `error while mounting volume '${data}': ${(err as Error).message}`, { cause: err });
    }
    this.mounted.add(rec.name);
  }

  private releaseDevice(rec: VolumeRecord): void {
    if (!this.mounted.has(rec.name)) return;
    try {
      this.host.unmount(this.dataOf(rec.name));
      this.mounted.delete(rec.name);
    } catch (err) {
      this.log.warn('failed to unmount volume', { name: rec.name, err });
    }
  }
}
