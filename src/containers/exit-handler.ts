import type { ContainerRecord } from './container-record.js';
import { nextDelay, shouldRestart } from './restart-policy.js';
import type { RunHandle, ServiceContext } from './service-context.js';
import { unmountVolumes } from './volume-mounts.js';
import { span } from '../shared/trace-timing.js';
import { isoTime } from '../shared/iso-time.js';

/** Operations the exit handler triggers afterwards (they take the container lock themselves). */
export interface AfterExit {
  autoRemove(id: string): Promise<void>;
  restart(id: string): Promise<void>;
}

/**
 * Unmount the rootfs and start dropping the runtime's state (`crun delete`) and the network
 * sandbox, all in the background: off the exit -> wait -> auto-remove path and off the event
 * loop (unmounting syncs the overlay's upper filesystem, hundreds of ms on a busy disk).
 * Best effort (logged). Removal awaits rootfsReleased() before deleting files; anything that
 * needs the runtime state gone (start) awaits settleRuntimeCleanup().
 */
export function releaseRunResources(ctx: ServiceContext, rec: ContainerRecord): Promise<void> {
  ctx.released.add(rec.id);
  const p = ctx.paths(rec.id);
  const unmount = (target: string): Promise<void> =>
    (ctx.deps.mounts.unmountAsync ? ctx.deps.mounts.unmountAsync(target) : Promise.resolve().then(() => ctx.deps.mounts.unmount(target))).catch((err: unknown) =>
      ctx.log.warn('failed to unmount', { id: rec.id, target, err }),
    );
  // Chained per container: a second release (exit, then rm) resolves only after the first unmount.
  const unmounted = (ctx.unmounts.get(rec.id) ?? Promise.resolve()).then(() => Promise.all([unmount(p.rootfs), unmount(p.shm)])).then(() => {});
  ctx.unmounts.set(rec.id, unmounted);
  void unmounted.finally(() => {
    if (ctx.unmounts.get(rec.id) === unmounted) ctx.unmounts.delete(rec.id);
  });
  const prev = ctx.runtimeCleanups.get(rec.id) ?? Promise.resolve();
  const network = ctx.deps.network?.detach(rec.id).catch((err: unknown) => ctx.log.warn('failed to release the network sandbox', { id: rec.id, err }));
  if (network) {
    ctx.networkReleases.set(rec.id, network);
    void network.finally(() => {
      if (ctx.networkReleases.get(rec.id) === network) ctx.networkReleases.delete(rec.id);
    });
  }
  const volumes = unmountVolumes(ctx, rec);
  const cleanup = prev
    .then(() => ctx.deps.runtime.delete(rec.id))
    .catch((err: unknown) => ctx.log.warn('failed to delete runtime container', { id: rec.id, err }))
    .then(() => network)
    .then(() => volumes)
    .then(() => unmounted)
    .finally(() => {
      if (ctx.runtimeCleanups.get(rec.id) === cleanup) ctx.runtimeCleanups.delete(rec.id);
    });
  ctx.runtimeCleanups.set(rec.id, cleanup);
  return cleanup;
}

/** Resolves once the container's rootfs (and shm) are unmounted after its last release. */
export async function rootfsReleased(ctx: ServiceContext, id: string): Promise<void> {
  await ctx.unmounts.get(id);
}

/** Wait for a background runtime-state deletion of `id`, if any. */
export async function settleRuntimeCleanup(ctx: ServiceContext, id: string): Promise<void> {
  await ctx.runtimeCleanups.get(id);
}

type ExitRecord = Awaited<ReturnType<ServiceContext['deps']['runtime']['readExit']>>;

/** Status exited with the monitor's exit code and time (255 and `lost` as Error when it recorded none). */
export function markExited(ctx: ServiceContext, rec: ContainerRecord, exit: ExitRecord | undefined, lost: string): void {
  rec.state = {
    ...rec.state,
    status: 'exited',
    pid: 0,
    conmonPid: 0,
    exitCode: exit?.code ?? 255,
    oomKilled: exit?.oom ?? false,
    finishedAt: exit?.finishedAt ? isoTime(exit.finishedAt.getTime()) : ctx.clock.stamp(),
    error: exit ? rec.state.error : lost,
    // dockerd: a stopped health monitor leaves the status `unhealthy`
    health: rec.state.health && { ...rec.state.health, Status: 'unhealthy' },
  };
}

/**
 * Processes one exit recorded by the monitor: status exited + ExitCode + FinishedAt, rootfs
 * unmounted, runtime state deleted, waiters woken, then auto-remove or restart policy.
 * Never takes the container lock (stop/rm hold it while they wait for this).
 */
export async function handleExit(ctx: ServiceContext, run: RunHandle, id: string, after: AfterExit): Promise<void> {
  if (run.finished) return;
  run.finished = true;
  const t = span('exit', id);
  await run.started;
  const rec = ctx.records.get(id);
  if (!rec) {
    run.finish();
    return;
  }
  const p = ctx.paths(id);
  let exit: Awaited<ReturnType<typeof ctx.deps.runtime.readExit>>;
  try {
    exit = await ctx.deps.runtime.readExit(p.stateDir, id);
  } catch (err) {
    ctx.log.warn('failed to read exit code', { id, err });
  }
  t.mark('readExit');
  void releaseRunResources(ctx, rec);
  t.mark('release');
  markExited(ctx, rec, exit, 'container monitor exited without recording an exit code');
  if (ctx.runs.get(id) === run) ctx.runs.delete(id);
  // Decided before anything awaits (dockerd decides under the container lock): a start arriving
  // while this exit is processed sees `restarting`, never an `exited` about to be restarted.
  const facts = { policy: rec.hostConfig.RestartPolicy, exitCode: rec.state.exitCode, restartCount: rec.state.restartCount, manuallyStopped: run.stopping || rec.state.manuallyStopped };
  const restart = !run.removing && !rec.hostConfig.AutoRemove && shouldRestart(facts);
  if (restart) markRestarting(rec);
  // As dockerd, the network (addresses, published ports, names) is released and the rootfs
  // unmounted before waiters wake: a host port is free again when `docker stop` returns.
  await Promise.all([ctx.networkReleases.get(id), rootfsReleased(ctx, id)]);
  t.mark('net');
  const save = (): Promise<void> => ctx.save(rec).catch((err: unknown) => ctx.log.error('failed to save container', { id, err }));
  // An auto-removed container's record is about to go: only save it if the removal fails.
  if (!rec.hostConfig.AutoRemove) await save();
  run.finish();
  if (rec.state.oomKilled) ctx.emit(rec, 'oom');
  ctx.emit(rec, 'die', { exitCode: String(rec.state.exitCode) });
  ctx.waiters.exited(id, rec.state.exitCode);
  t.mark('save+wake');
  if (restart) {
    if (rec.state.status === 'restarting') armRestart(ctx, rec, ctx.clock.now() - run.startedAtMs, after);
    return;
  }

  // A later start (or removal) may have happened while this exit was being processed.
  if (run.removing || rec.state.status !== 'exited' || ctx.runs.has(id)) return;
  if (rec.hostConfig.AutoRemove) {
    await after.autoRemove(id).catch(async (err: unknown) => {
      ctx.log.error('failed to auto-remove container', { id, err });
      if (ctx.records.has(id)) await save();
    });
    t.mark('autoRemove');
  }
  t.end();
}

/** dockerd's SetRestarting: the restart is counted when it is decided. */
function markRestarting(rec: ContainerRecord): void {
  rec.state.restartCount++;
  rec.state.status = 'restarting';
}

/** Start again after the backoff delay (the container is `restarting` meanwhile). */
function armRestart(ctx: ServiceContext, rec: ContainerRecord, ranMs: number, after: AfterExit): void {
  const delay = nextDelay(ctx.backoff.get(rec.id), ranMs, ctx.deps.restartBaseDelayMs ?? 100);
  ctx.backoff.set(rec.id, delay);
  const t = setTimeout(() => {
    ctx.restartTimers.delete(rec.id);
    after.restart(rec.id).catch((err: unknown) => ctx.log.error('failed to restart container', { id: rec.id, err }));
  }, delay);
  ctx.restartTimers.set(rec.id, t);
}

/**
 * Cancel a pending policy restart (stop/kill/rm during backoff, or while the exit that decided it
 * is still being processed); the container becomes exited.
 */
export function cancelRestart(ctx: ServiceContext, rec: ContainerRecord): boolean {
  const t = ctx.restartTimers.get(rec.id);
  if (t) {
    clearTimeout(t);
    ctx.restartTimers.delete(rec.id);
  } else if (rec.state.status !== 'restarting') return false;
  rec.state.status = 'exited';
  return true;
}
