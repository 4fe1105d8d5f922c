import { rmSync } from 'node:fs';
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Mount } from '../mount/types.js';
import type { SpecInput } from '../runtime/spec/spec-input.js';
import { DEFAULT_SHM_SIZE } from '../runtime/spec/with-mounts.js';
import { EngineError, conflict } from '../shared/errors.js';
import { span } from '../shared/trace-timing.js';
import type { ContainerRecord } from './container-record.js';
import { handleExit, releaseRunResources, settleRuntimeCleanup, type AfterExit } from './exit-handler.js';
import { networkKind } from './merge-config.js';
import { linkEnv, networkList, sandboxSpec } from './networking.js';
import { logRotation, startLogRotation } from './log-options.js';
import { RunHandle, type ServiceContext } from './service-context.js';
import { makeMountTargets, mountVolumes, type BindMount } from './volume-mounts.js';

/** Host pid of a running container referenced by `container:<ref>` modes. */
function joinTarget(ctx: ServiceContext, ref: string, what: string): number {
  const target = ctx.get(ref);
  if (target.state.status !== 'running' && target.state.status !== 'paused') {
    throw conflict(`cannot join ${what} of a non running container: ${target.id}`);
  }
  return target.state.pid;
}

/**
 * Host pid of the container whose pid/ipc/uts namespace `<key> container:X` joins, with
 * dockerd's errors. For IPC, X must have been made shareable (records from before IpcMode
 * was recorded count as shareable, as dockerd's old default was) and its /dev/shm is shared too.
 */
function namespaceDonor(ctx: ServiceContext, ref: string, key: 'pid' | 'ipc' | 'uts'): number {
  const donor = ctx.get(ref);
  const running = donor.state.status === 'running' || donor.state.status === 'paused';
  const notRunning = `container ${donor.id} is not running`;
  if (key !== 'ipc') {
    if (!running) throw conflict(notRunning);
    return donor.state.pid;
  }
  const prefix = `can't join IPC of container ${donor.id}`;
  if (!running) throw conflict(`${prefix}: ${notRunning}`);
  const mode = donor.hostConfig.IpcMode ?? '';
  if (mode !== 'shareable' && mode !== '') throw conflict(`${prefix}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`);
  return donor.state.pid;
}

/** The namespace a container of another one's network joins: the target's sandbox, else its process's. */
function sharedNetns(ctx: ServiceContext, ref: string): string {
  const pid = joinTarget(ctx, ref, 'network');
  const target = ctx.get(ref);
  return ctx.deps.network?.view(target.id, {}, null).sandboxKey || `/proc/${pid}/ns/net`;
}

/** Gathers SpecInput for a container whose rootfs is mounted at `rootfs`; `mounts` are its binds and volumes. */
async function specInput(ctx: ServiceContext, rec: ContainerRecord, rootfs: string, sandbox: string | undefined, mounts: BindMount[]): Promise<SpecInput> {
  const p = ctx.paths(rec.id);
  const h = rec.hostConfig;
  const net = networkKind(h.NetworkMode);
  const netns: SpecInput['netns'] =
    net.kind === 'host'
      ? { mode: 'host' }
      : net.kind === 'container'
        ? { mode: 'path', path: sharedNetns(ctx, net.ref) }
        : sandbox
          ? { mode: 'path', path: sandbox }
          : { mode: 'none' };
  const nsPaths: SpecInput['nsPaths'] = {};
  let shmSource: string | undefined;
  for (const [key, mode] of [['pid', h.PidMode], ['ipc', h.IpcMode], ['uts', h.UTSMode]] as const) {
    if (!mode?.startsWith('container:')) continue;
    const pid = namespaceDonor(ctx, mode.slice(10), key);
    nsPaths[key] = `/proc/${pid}/ns/${key}`;
    const donor = ctx.get(mode.slice(10));
    if (key === 'ipc' && donor.hostConfig.IpcMode === 'shareable') shmSource = ctx.paths(donor.id).shm;
  }
  if (h.IpcMode === 'shareable') shmSource = p.shm;
  const user = await ctx.deps.spec.resolveUser(rootfs, rec.config.User ?? '', h.GroupAdd ?? []);
  return {
    id: rec.id,
    rootfsPath: rootfs,
    config: h.Links?.length ? { ...rec.config, Env: [...linkEnv(ctx, rec), ...(rec.config.Env ?? [])] } : rec.config,
    hostConfig: h,
    user,
    hostname: rec.config.Hostname ?? rec.id.slice(0, 12),
    files: { hostname: p.hostname, hosts: p.hosts, resolvConf: p.resolvConf },
    mounts,
    netns,
    nsPaths,
    shmSource,
    init: h.Init && ctx.deps.initPath ? { hostPath: ctx.deps.initPath } : undefined,
    cgroupsPath: `${h.CgroupParent || ctx.deps.cgroupParent || 'berth'}/${rec.id}`,
    hostRlimitNofile: await ctx.deps.spec.rlimitNofile().catch(() => undefined),
    host: { ...(await ctx.deps.spec.host?.(h)), ...ctx.deps.hostInfo },
  };
}

/**
 * Runs a created/exited container: mount rootfs, write the bundle, launch the monitor
 * (runtime create), connect pending attaches, runtime start. A failed start leaves the
 * container stopped with Docker's 126/127 exit code and Error, and rethrows.
 * Caller holds the container lock and has checked the transition.
 */
export async function startContainer(ctx: ServiceContext, rec: ContainerRecord, after: AfterExit): Promise<void> {
  const p = ctx.paths(rec.id);
  const rt = ctx.deps.runtime;
  let launched = false;
  let run: RunHandle | undefined;
  const t = span('start', rec.id);
  const rotation = logRotation(rec.hostConfig.LogConfig); // dockerd: the log driver starts before anything else
  try {
    ctx.deps.mounts.unmount(p.rootfs);
    ctx.deps.mounts.unmount(p.shm);
    await settleRuntimeCleanup(ctx, rec.id);
    ctx.released.delete(rec.id);
    await rt.delete(rec.id).catch(() => {});
    await rm(p.stateDir, { recursive: true, force: true });
    await mkdir(p.bundle, { recursive: true });
    t.mark('prep');
    if (rec.hostConfig.IpcMode === 'shareable') mountShm(ctx, rec);
    const binds = await mountVolumes(ctx, rec);
    // The network sandbox (namespace, veths, ports) is made while the rootfs is mounted.
    const sandbox = attachNetwork(ctx, rec);
    const rootfs = ctx.deps.snapshots.mounts(rec.snapshotKey).then((mounts) => ctx.deps.mounts.mountAll(rec.hostConfig.AutoRemove ? volatileOverlay(mounts) : mounts, p.rootfs));
    const [sb, fs] = await Promise.allSettled([sandbox, rootfs]);
    if (sb.status === 'rejected') throw sb.reason;
    if (fs.status === 'rejected') throw fs.reason;
    t.mark('rootfs+net');
    await makeMountTargets(p.rootfs, binds);
    const input = await specInput(ctx, rec, p.rootfs, sb.value, binds);
    t.mark('specInput');
    const spec = ctx.deps.spec.build(input);
    const seccompKey = rt.seccompAnnotate?.(spec);
    t.mark('build');
    await writeFile(join(p.bundle, 'config.json'), JSON.stringify(spec));
    await mkdir(p.dir, { recursive: true });
    t.mark('write');

    const { conmonPid, pid } = await rt.launch({
      id: rec.id,
      bundleDir: p.bundle,
      stateDir: p.stateDir,
      logPath: p.log,
      terminal: Boolean(rec.config.Tty),
      stdin: Boolean(rec.config.OpenStdin),
      stdinOnce: Boolean(rec.config.StdinOnce),
    });
    launched = true;
    if (seccompKey) void rt.seccompLearn?.(seccompKey, rec.id);
    t.mark('launch');
    run = new RunHandle(ctx.clock.now());
    const r = run;
    startLogRotation(ctx, rec, r.stopLogs.signal, rotation);
    ctx.runs.set(rec.id, r);
    r.cancelWatch = rt.watchExit(p.stateDir, rec.id, () => void handleExit(ctx, r, rec.id, after));
    connectPendingAttaches(ctx, rec);
    await rt.start(rec.id);
    t.mark('rt.start');
    rec.state = {
      ...rec.state,
      status: 'running',
      pid,
      conmonPid,
      exitCode: 0,
      error: '',
      oomKilled: false,
      startedAt: ctx.clock.stamp(),
      manuallyStopped: false,
    };
    ctx.healthWatch?.(rec, r);
    await ctx.save(rec);
    r.markStarted();
    ctx.emit(rec, 'start');
    t.mark('save+emit');
    t.end();
  } catch (err) {
    const code = typeof (err as { exitCode?: unknown }).exitCode === 'number' ? (err as { exitCode: number }).exitCode : 128;
    if (run) {
      run.stopping = true;
      run.removing = true;
      if (ctx.runs.get(rec.id) === run) ctx.runs.delete(rec.id);
      run.finish();
    }
    if (launched) await rt.kill(rec.id, 'KILL').catch(() => {});
    await releaseRunResources(ctx, rec);
    cancelPendingAttaches(ctx, rec.id);
    rec.state = { ...rec.state, status: rec.state.startedAt === '0001-01-01T00:00:00Z' ? 'created' : 'exited', pid: 0, conmonPid: 0, exitCode: code, error: (err as Error).message };
    await ctx.save(rec).catch(() => {});
    ctx.waiters.exited(rec.id, code);
    throw EngineError.is(err) ? err : EngineError.wrap('internal', 'failed to start container', err);
  }
}

/**
 * An auto-removed container's overlay is mounted `volatile` (as podman does for --rm): its
 * writes are never synced, so unmounting it does not flush the whole upper filesystem (which
 * takes hundreds of ms on a busy disk). After a crash such a container is removed at boot, so
 * nothing relies on its upper dir surviving. A volatile mount leaves `work/incompat/volatile` in
 * the workdir, which refuses the next mount: a restart (this same boot, cleanly unmounted) clears it.
 */
function volatileOverlay(mounts: Mount[]): Mount[] {
  return mounts.map((m) => {
    const workdir = m.type === 'overlay' ? m.options.find((o) => o.startsWith('workdir='))?.slice('workdir='.length) : undefined;
    if (!workdir) return m;
    rmSync(join(workdir, 'work', 'incompat'), { recursive: true, force: true });
    return { ...m, options: [...m.options, 'volatile'] };
  });
}

/** A shareable IPC namespace's /dev/shm lives on the host, so that joiners can bind it (as dockerd does). */
function mountShm(ctx: ServiceContext, rec: ContainerRecord): void {
  const size = rec.hostConfig.ShmSize && rec.hostConfig.ShmSize > 0 ? rec.hostConfig.ShmSize : DEFAULT_SHM_SIZE;
  ctx.deps.mounts.mountAll([{ type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${size}`] }], ctx.paths(rec.id).shm);
}

/** Joins the container's networks (bridge and user modes) and writes its hosts/resolv.conf; the namespace path. */
async function attachNetwork(ctx: ServiceContext, rec: ContainerRecord): Promise<string | undefined> {
  const net = ctx.deps.network;
  const kind = networkKind(rec.hostConfig.NetworkMode);
  if (kind.kind === 'container') {
    // Sharing another container's namespace means sharing its hosts and resolv.conf too.
    const target = ctx.paths(ctx.get(kind.ref).id);
    const p = ctx.paths(rec.id);
    await Promise.all([copyFile(target.hosts, p.hosts), copyFile(target.resolvConf, p.resolvConf)]).catch(() => {});
    return undefined;
  }
  if (!net || kind.kind !== 'network') return undefined;
  const info = await net.attach(sandboxSpec(ctx, rec));
  // Docker keeps each network's ID on the container once it has been connected (shown after stop too).
  for (const { ref } of networkList(rec)) {
    const found = net.find(ref);
    const key = rec.networking[found.name] ? found.name : ref;
    rec.networking[key] = { ...(rec.networking[key] ?? {}), NetworkID: found.id };
  }
  const p = ctx.paths(rec.id);
  await Promise.all([writeFile(p.hosts, info.hosts), writeFile(p.resolvConf, info.resolvConf)]);
  return info.netnsPath;
}

function connectPendingAttaches(ctx: ServiceContext, rec: ContainerRecord): void {
  const pending = ctx.pendingAttach.get(rec.id);
  if (!pending) return;
  ctx.pendingAttach.delete(rec.id);
  const stateDir = ctx.paths(rec.id).stateDir;
  for (const pa of pending) {
    try {
      pa.connect(ctx.deps.runtime.attach(stateDir, { stdin: pa.stdin && Boolean(rec.config.OpenStdin) }));
    } catch (err) {
      ctx.log.warn('failed to connect attach session', { id: rec.id, err });
      pa.cancel();
    }
  }
}

export function cancelPendingAttaches(ctx: ServiceContext, id: string): void {
  const pending = ctx.pendingAttach.get(id);
  if (!pending) return;
  ctx.pendingAttach.delete(id);
  for (const pa of pending) pa.cancel();
}
