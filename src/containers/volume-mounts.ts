import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { ContainerConfig, HostConfig, MountPoint } from '../api/types.js';
import { EngineError, invalid } from '../shared/errors.js';
import { parseBindSpec, parseMountEntry, parseVolumesFrom, type ParsedMountPoint } from '../volumes/mount-spec.js';
import { ContainerRoot } from './archive-root.js';
import type { ContainerRecord, MountPointRecord } from './container-record.js';
import type { VolumePort } from './ports.js';
import type { ServiceContext } from './service-context.js';

/**
 * A container's binds and volumes (dockerd's registerMountPoints + createContainerVolumesOS):
 * resolved once at create into `rec.mounts`, mounted at each start, unmounted at each exit,
 * released at removal.
 */

const duplicate = (dest: string): EngineError => invalid(`Duplicate mount point: ${dest}`);

function volumePort(ctx: ServiceContext): VolumePort {
  if (!ctx.deps.volumes) throw new EngineError('not-implemented', 'volumes are not available');
  return ctx.deps.volumes;
}

function toRecord(p: ParsedMountPoint): MountPointRecord {
  return {
    type: p.type,
    name: p.name,
    source: p.source,
    destination: p.destination,
    driver: p.driver,
    mode: p.mode,
    rw: p.rw,
    propagation: p.propagation,
    named: p.name !== '',
    ...(p.createSource ? { createSource: true } : {}),
    ...(p.nonRecursive ? { nonRecursive: true } : {}),
  };
}

/** Mounts of a record made before volumes existed: its binds and --mount entries, parsed again. */
export function recordMounts(rec: Pick<ContainerRecord, 'mounts' | 'hostConfig'>): MountPointRecord[] {
  if (rec.mounts) return rec.mounts;
  const out: MountPointRecord[] = [];
  for (const b of rec.hostConfig.Binds ?? []) {
    try {
      out.push(toRecord(parseBindSpec(b)));
    } catch {
      // refused at create time
    }
  }
  for (const m of rec.hostConfig.Mounts ?? []) {
    try {
      out.push(toRecord(parseMountEntry(m, () => true)));
    } catch {
      // refused at create time
    }
  }
  return out;
}

/** Inspect's and ps's `Mounts` (Docker omits Name and Driver for binds and tmpfs). */
export function mountPointViews(rec: Pick<ContainerRecord, 'mounts' | 'hostConfig'>): MountPoint[] {
  return recordMounts(rec).map((m) => ({
    Type: m.type,
    ...(m.type === 'volume' ? { Name: m.name } : {}),
    Source: m.source,
    Destination: m.destination,
    ...(m.type === 'volume' ? { Driver: m.driver } : {}),
    Mode: m.mode,
    RW: m.rw,
    Propagation: m.propagation,
  }));
}

/** What create asks for, parsed and checked before anything is made (Docker's errors). */
export interface MountPlan {
  from: { rec: ContainerRecord; rw: boolean }[];
  binds: ParsedMountPoint[];
  mounts: ParsedMountPoint[];
  /** Destinations of Config.Volumes (anonymous volumes unless something else is mounted there). */
  anonymous: string[];
}

/** Create, before anything is made: parses and checks -v, --mount, --volumes-from and Config.Volumes. */
export function planMounts(ctx: ServiceContext, hostConfig: HostConfig, config: ContainerConfig): MountPlan {
  const from = (hostConfig.VolumesFrom ?? []).map((spec) => {
    const { ref, rw } = parseVolumesFrom(spec);
    try {
      return { rec: ctx.get(ref), rw };
    } catch (err) {
      throw EngineError.is(err, 'not-found') ? invalid(err.message) : err;
    }
  });
  const tmpfs = new Set(Object.keys(hostConfig.Tmpfs ?? {}).map((d) => posix.normalize(d)));
  const seen = new Set<string>();
  const binds = (hostConfig.Binds ?? []).map((b) => {
    const p = parseBindSpec(b);
    if (seen.has(p.destination) || tmpfs.has(p.destination)) throw duplicate(p.destination);
    seen.add(p.destination);
    return p;
  });
  const mounts = (hostConfig.Mounts ?? []).map((m) => {
    const p = parseMountEntry(m);
    if (seen.has(p.destination)) throw duplicate(m.Target);
    seen.add(p.destination);
    return p;
  });
  const anonymous: string[] = [];
  for (const spec of Object.keys(config.Volumes ?? {})) {
    if (!spec.startsWith('/')) throw invalid(`invalid mount config for type "volume": invalid mount path: '${spec}' mount path must be absolute`);
    const dest = posix.normalize(spec).replace(/(.)\/+$/, '$1');
    if (dest === '/') throw invalid(`invalid mount config for type "volume": invalid specification: destination can't be '/'`);
    if (!tmpfs.has(dest) && !anonymous.includes(dest)) anonymous.push(dest);
  }
  if (!ctx.deps.volumes && (from.length || anonymous.length || [...binds, ...mounts].some((p) => p.type === 'volume'))) volumePort(ctx);
  return { from, binds, mounts, anonymous };
}

/**
 * Create: resolves -v, --mount, --volumes-from and the image's VOLUMEs into mount points,
 * creating and referencing volumes, then copies the image's content into empty volumes
 * (the rootfs snapshot `id` must be prepared). On failure everything acquired is released
 * and the anonymous volumes made for it removed.
 */
export async function resolveMounts(ctx: ServiceContext, id: string, p: MountPlan, hostConfig: HostConfig): Promise<MountPointRecord[]> {
  const byDest = new Map<string, MountPointRecord>();
  const copy = new Set<MountPointRecord>();
  const held: MountPointRecord[] = [];
  const acquire = async (m: MountPointRecord, opts: Parameters<VolumePort['acquire']>[2] = {}): Promise<void> => {
    const v = await volumePort(ctx).acquire(m.name, id, opts);
    Object.assign(m, { name: v.name, driver: v.driver, source: v.mountpoint });
    held.push(m);
  };
  // A later source for the same destination wins (dockerd's dereferenceIfExists).
  const put = (m: MountPointRecord): void => {
    const old = byDest.get(m.destination);
    byDest.set(m.destination, m);
    if (old?.type !== 'volume') return;
    held.splice(held.indexOf(old), 1);
    copy.delete(old);
    if (!held.some((h) => h.name === old.name)) ctx.deps.volumes?.release(old.name, id);
  };
  try {
    for (const f of p.from) {
      for (const src of recordMounts(f.rec)) {
        const m: MountPointRecord = { ...src, mode: '', rw: src.rw && f.rw };
        delete m.createSource;
        if (m.type === 'volume') await acquire(m, { driver: m.driver, mustExist: true });
        put(m);
      }
    }
    for (const parsed of [...p.binds, ...p.mounts]) {
      const m = toRecord(parsed);
      if (m.type === 'volume') {
        await acquire(m, { driver: parsed.driver || hostConfig.VolumeDriver || undefined, driverOpts: parsed.driverOpts, labels: parsed.labels });
        if (m.driver === 'local' && m.mode === '') m.mode = 'z';
        if (parsed.copyData) copy.add(m);
      }
      put(m);
    }
    const wanted = p.anonymous.filter((d) => !byDest.has(d));
    if (wanted.length || copy.size) {
      await withRootfs(ctx, id, async (root) => {
        for (const dest of wanted) {
          const host = (await root.resolve(dest, true)).host;
          const st = await lstat(host).catch(() => undefined);
          if (st && !st.isDirectory()) throw invalid(`cannot mount volume over existing file, file exists ${host}`);
          const m: MountPointRecord = { type: 'volume', name: '', source: '', destination: dest, driver: '', mode: '', rw: true, propagation: '', named: false };
          await acquire(m, { driver: hostConfig.VolumeDriver || undefined });
          put(m);
          copy.add(m);
        }
        for (const m of copy) {
          const host = (await root.resolve(m.destination, true)).host;
          if ((await lstat(host).catch(() => undefined))?.isDirectory()) await volumePort(ctx).populate(m.name, host);
        }
      });
    }
  } catch (err) {
    await dropVolumes(ctx, id, held, true);
    throw err;
  }
  return [...byDest.values()];
}

/** Mounts the prepared snapshot `id` on a temporary directory for `fn`. */
async function withRootfs(ctx: ServiceContext, id: string, fn: (root: ContainerRoot) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-volumes-'));
  try {
    ctx.deps.mounts.mountAll(await ctx.deps.snapshots.mounts(id), dir);
    try {
      await fn(new ContainerRoot(dir, []));
    } finally {
      ctx.deps.mounts.unmount(dir);
    }
  } finally {
    await rmdir(dir).catch(() => {});
  }
}

/**
 * Releases the container's volumes; with `removeAnonymous`, removes the anonymous ones no
 * other container uses (in-use is not an error, as in dockerd's removeMountPoints).
 */
export async function dropVolumes(ctx: ServiceContext, id: string, mounts: MountPointRecord[], removeAnonymous: boolean): Promise<void> {
  const vols = ctx.deps.volumes;
  if (!vols) return;
  for (const m of mounts) {
    if (m.type !== 'volume') continue;
    vols.release(m.name, id);
    if (!removeAnonymous || m.named) continue;
    await vols.remove(m.name).catch((err: unknown) => {
      if (!EngineError.is(err, 'conflict') && !EngineError.is(err, 'not-found')) ctx.log.warn('failed to remove volume', { volume: m.name, err });
    });
  }
}

/** A user mount for the runtime spec (a bind of a host path or of a volume's data). */
export interface BindMount {
  destination: string;
  type: 'bind';
  source: string;
  options: string[];
}

/**
 * Start: creates missing `-v` host directories, mounts the volumes (publishing `mount`),
 * and returns the binds for the spec. On failure the volumes mounted so far are unmounted.
 */
export async function mountVolumes(ctx: ServiceContext, rec: ContainerRecord): Promise<BindMount[]> {
  const out: BindMount[] = [];
  try {
    for (const m of recordMounts(rec)) {
      if (m.type === 'tmpfs') continue;
      let source = m.source;
      if (m.type === 'volume') source = await volumePort(ctx).mount(m.name, rec.id, { destination: m.destination, rw: m.rw, propagation: m.propagation });
      else if (m.createSource && source.startsWith('/') && !existsSync(source)) await mkdir(source, { recursive: true, mode: 0o755 });
      const options = [m.nonRecursive ? 'bind' : 'rbind'];
      if (!m.rw) options.push('ro');
      if (m.propagation) options.push(m.propagation);
      out.push({ destination: m.destination, type: 'bind', source, options });
    }
  } catch (err) {
    await unmountVolumes(ctx, rec);
    throw err;
  }
  return out;
}

/**
 * Start, once the rootfs is mounted: a bind's destination reached through a symlink in the
 * image (`/data -> /srv/data`) is resolved inside the rootfs and made there (a directory, or
 * an empty file for a file bind), as runc does; the runtime then finds it in the same place.
 */
export async function makeMountTargets(rootfs: string, binds: BindMount[]): Promise<void> {
  const root = new ContainerRoot(rootfs, []);
  for (const b of binds) {
    const { host } = await root.resolve(b.destination, true);
    if (await lstat(host).catch(() => undefined)) continue;
    const dir = (await lstat(b.source).catch(() => undefined))?.isDirectory() !== false;
    await mkdir(dir ? host : posix.dirname(host), { recursive: true, mode: 0o755 });
    if (!dir) await writeFile(host, '', { flag: 'a', mode: 0o755 });
  }
}

/** Exit (or a failed start): unmounts the container's volumes (publishing `unmount`). */
export async function unmountVolumes(ctx: ServiceContext, rec: ContainerRecord): Promise<void> {
  const vols = ctx.deps.volumes;
  if (!vols) return;
  for (const m of recordMounts(rec)) {
    if (m.type !== 'volume') continue;
    await vols.unmount(m.name, rec.id).catch((err: unknown) => ctx.log.warn('failed to unmount volume', { id: rec.id, volume: m.name, err }));
  }
}

/** Boot: every container's volumes, so references and mounts survive a daemon restart. */
export function restoreVolumes(ctx: ServiceContext, running: Set<string>): void {
  ctx.deps.volumes?.restore(
    [...ctx.records.values()].map((r) => ({
      containerId: r.id,
      volumes: recordMounts(r).filter((m) => m.type === 'volume').map((m) => m.name),
      running: running.has(r.id),
    })),
  );
}
