import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readlink, rmdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { EngineError } from '../shared/errors.js';
import type { ContainerRecord } from './container-record.js';
import { recordMounts } from './volume-mounts.js';
import type { ServiceContext } from './service-context.js';

/** A host directory that stands for a container path (rootfs, a bind source, a host file). */
interface Scope {
  /** Container path where this scope starts ('/' for the rootfs). */
  dest: string;
  /** Host path it maps to. */
  source: string;
}

/**
 * A container's filesystem as the host sees it for `docker cp`: the rootfs (the running
 * container's overlay mount, or the snapshot mounted for the call) plus bind mounts and the
 * hosts/hostname/resolv.conf files, which Docker also reads and writes through.
 */
export class ContainerRoot {
  private readonly scopes: Scope[];

  constructor(readonly rootfs: string, binds: Scope[]) {
    this.scopes = [...binds].sort((a, b) => b.dest.length - a.dest.length);
  }

  /**
   * Resolve a clean absolute container path to a host path. Symlinks are followed inside the
   * container (absolute targets restart at its root, `..` stops there); the last component is
   * followed only when `followLast`. Missing components are kept as they are.
   */
  async resolve(path: string, followLast: boolean): Promise<{ host: string; container: string }> {
    const done: string[] = [];
    const todo = path.split('/').filter((c) => c !== '' && c !== '.');
    let hops = 0;
    while (todo.length) {
      const c = todo.shift() as string;
      if (c === '..') {
        done.pop();
        continue;
      }
      done.push(c);
      if (!followLast && todo.length === 0) break;
      const host = this.hostOf('/' + done.join('/'));
      const st = await lstat(host).catch(() => undefined);
      if (!st?.isSymbolicLink()) continue;
      if (++hops > 255) throw new EngineError('invalid-argument', `failed to resolve ${path}: too many levels of symbolic links`);
      const target = await readlink(host);
      done.pop();
      if (target.startsWith('/')) done.length = 0;
      todo.unshift(...target.split('/').filter((x) => x !== '' && x !== '.'));
    }
    const container = '/' + done.join('/');
    return { host: this.hostOf(container), container };
  }

  /** Host path of a resolved container path (the deepest mount covering it wins). */
  hostOf(container: string): string {
    for (const s of this.scopes) {
      if (container === s.dest) return s.source;
      if (container.startsWith(s.dest + '/')) return join(s.source, container.slice(s.dest.length));
    }
    return container === '/' ? this.rootfs : join(this.rootfs, container);
  }
}

/** `/x/./` -> `/x`, keeping whether the caller asked for the directory itself (`/.` or `/`). */
export function cleanContainerPath(path: string): { clean: string; followLast: boolean; base: string } {
  const abs = posix.normalize('/' + path);
  const followLast = /\/\.?$/.test(path);
  const clean = abs.length > 1 ? abs.replace(/\/+$/, '') : abs;
  // Like Go's filepath.Base of the joined path with its trailing "/." preserved.
  const base = /\/\.$/.test(path) ? '.' : clean === '/' ? '/' : posix.basename(clean);
  return { clean, followLast, base };
}

function binds(ctx: ServiceContext, rec: ContainerRecord): Scope[] {
  const out: Scope[] = [];
  for (const m of recordMounts(rec)) {
    if (m.type !== 'tmpfs' && m.source) out.push({ dest: posix.normalize(m.destination), source: m.source });
  }
  const p = ctx.paths(rec.id);
  for (const [dest, source] of [['/etc/hosts', p.hosts], ['/etc/hostname', p.hostname], ['/etc/resolv.conf', p.resolvConf]]) {
    if (existsSync(source) && !out.some((s) => s.dest === dest)) out.push({ dest, source });
  }
  return out;
}

/**
 * A stopped container's volumes mounted for `docker cp` as dockerd's mountVolumes does: a
 * device-backed local volume (`type=tmpfs`, `o=bind`) is mounted on its `_data` for the call
 * (so a tmpfs volume is a fresh, empty tmpfs, and what is copied into it is gone once the call
 * ends), with the volume's `mount`/`unmount` events. Returns the container's scopes.
 */
async function mountStoppedVolumes(ctx: ServiceContext, rec: ContainerRecord): Promise<Scope[]> {
  const scopes = binds(ctx, rec);
  const vols = ctx.deps.volumes;
  if (!vols) return scopes;
  try {
    for (const m of recordMounts(rec)) {
      if (m.type !== 'volume') continue;
      const source = await vols.mount(m.name, rec.id, { destination: m.destination, rw: m.rw, propagation: m.propagation });
      const dest = posix.normalize(m.destination);
      const s = scopes.find((x) => x.dest === dest);
      if (s) s.source = source;
      else scopes.push({ dest, source });
    }
  } catch (err) {
    await unmountStoppedVolumes(ctx, rec);
    throw err;
  }
  return scopes;
}

async function unmountStoppedVolumes(ctx: ServiceContext, rec: ContainerRecord): Promise<void> {
  for (const m of recordMounts(rec)) {
    if (m.type !== 'volume') continue;
    await ctx.deps.volumes?.unmount(m.name, rec.id).catch((err: unknown) => ctx.log.warn('failed to unmount volume', { id: rec.id, volume: m.name, err }));
  }
}

/** Where stopped containers' snapshots are mounted for cp/export: under the daemon's exec root, never /tmp. */
function tempRootsDir(ctx: ServiceContext): string {
  return join(ctx.deps.execRoot, 'mounts');
}

/** Boot: unmount and remove the temporary roots a crash left behind. */
export async function sweepTempRoots(ctx: ServiceContext): Promise<void> {
  const dir = tempRootsDir(ctx);
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    try {
      ctx.deps.mounts.unmount(join(dir, name));
    } catch {
      // not mounted
    }
    await rmdir(join(dir, name)).catch(() => {});
  }
}

/** Wait for the container's lock and hold it until the returned release is called. */
async function hold(ctx: ServiceContext, id: string): Promise<() => void> {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let acquired!: () => void;
  const got = new Promise<void>((r) => (acquired = r));
  void ctx.locks.run(id, async () => {
    acquired();
    await held;
  });
  await got;
  return release;
}

/**
 * Open a container's filesystem under its lock: the live overlay when it runs, otherwise its
 * snapshot mounted on a temporary directory with its volumes mounted (`readOnly`, for export:
 * the snapshot read-only and the volumes left alone, as export skips them). `release()`
 * unmounts and unlocks (call once).
 */
export async function openContainerRoot(ctx: ServiceContext, rec: ContainerRecord, opts: { readOnly?: boolean } = {}): Promise<{ root: ContainerRoot; release: () => Promise<void> }> {
  const unlock = await hold(ctx, rec.id);
  try {
    const s = rec.state.status;
    if (s === 'running' || s === 'paused' || s === 'restarting') {
      return { root: new ContainerRoot(ctx.paths(rec.id).rootfs, binds(ctx, rec)), release: async () => unlock() };
    }
    await mkdir(tempRootsDir(ctx), { recursive: true });
    const dir = await mkdtemp(join(tempRootsDir(ctx), 'root-'));
    try {
      const mounts = await ctx.deps.snapshots.mounts(rec.snapshotKey);
      ctx.deps.mounts.mountAll(opts.readOnly ? mounts.map((m) => ({ ...m, options: ['ro', ...m.options.filter((o) => o !== 'rw')] })) : mounts, dir);
    } catch (err) {
      await rmdir(dir).catch(() => {});
      throw EngineError.wrap('internal', 'failed to mount container rootfs', err);
    }
    let scopes: Scope[];
    try {
      scopes = opts.readOnly ? binds(ctx, rec) : await mountStoppedVolumes(ctx, rec);
    } catch (err) {
      ctx.deps.mounts.unmount(dir);
      await rmdir(dir).catch(() => {});
      throw err;
    }
    let released = false;
    const release = async (): Promise<void> => {
      if (released) return;
      released = true;
      try {
        if (!opts.readOnly) await unmountStoppedVolumes(ctx, rec);
        ctx.deps.mounts.unmount(dir);
        await rmdir(dir).catch(() => {});
      } catch (err) {
        ctx.log.warn('failed to unmount container rootfs', { id: rec.id, err });
      } finally {
        unlock();
      }
    };
    return { root: new ContainerRoot(dir, scopes), release };
  } catch (err) {
    unlock();
    throw err;
  }
}
