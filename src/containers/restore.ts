import { sweepTempRoots } from './archive-root.js';
import type { ContainerRecord } from './container-record.js';
import { handleExit, markExited, releaseRunResources, type AfterExit } from './exit-handler.js';
import { restartsAtBoot } from './restart-policy.js';
import { RunHandle, type ServiceContext } from './service-context.js';
import { restoreVolumes } from './volume-mounts.js';
import { startLogRotation } from './log-options.js';

/**
 * Daemon boot: load every record, then per container
 * - monitor (conmon) alive: re-adopt (watch its exit file again);
 * - monitor gone, exit code recorded: exited with that code (it exited while berthd was down);
 * - neither: exited 255 with an Error note;
 * - `removing`: finish the removal; `created`/`exited`: unmount any stale rootfs.
 * Volume references (and the mounts of the containers still running) are handed over first.
 * Returns the ids to start because of their restart policy (restartsAtBoot); `--rm` containers
 * that are not running are removed, as dockerd does at boot.
 */
export async function restoreAll(ctx: ServiceContext, after: AfterExit & { remove(id: string): Promise<void> }): Promise<string[]> {
  const records = await ctx.store.readAll((id, err) => ctx.log.warn('skipping unreadable container record', { id, err }));
  await sweepTempRoots(ctx);
  for (const rec of records) {
    ctx.records.set(rec.id, rec);
    ctx.names.addId(rec.id);
    try {
      ctx.names.reserve(rec.name, rec.id);
    } catch (err) {
      ctx.log.warn('container name conflict on restore', { id: rec.id, name: rec.name, err });
    }
  }
  // Volume references first: a removal below (auto-remove) must see who else uses a volume.
  const alive = records.filter((r) => (r.state.status === 'running' || r.state.status === 'paused') && r.state.conmonPid > 0 && ctx.deps.runtime.isAlive(r.state.conmonPid));
  restoreVolumes(ctx, new Set(alive.map((r) => r.id)));
  const toStart: string[] = [];
  for (const rec of records) {
    try {
      await restoreOne(ctx, rec, after);
    } catch (err) {
      ctx.log.error('failed to restore container', { id: rec.id, err });
    }
    if (!ctx.records.has(rec.id)) continue;
    if (restartsAtBoot(rec.hostConfig.RestartPolicy, rec.state)) toStart.push(rec.id);
    else if (rec.hostConfig.AutoRemove && (rec.state.status === 'created' || rec.state.status === 'exited')) {
      // dockerd: a --rm container that is not running at boot (berthd died before it started or while it exited) goes.
      await after.remove(rec.id).catch((err: unknown) => ctx.log.warn('failed to remove auto-remove container at boot', { id: rec.id, err }));
    }
  }
  return toStart;
}

async function restoreOne(ctx: ServiceContext, rec: ContainerRecord, after: AfterExit & { remove(id: string): Promise<void> }): Promise<void> {
  const p = ctx.paths(rec.id);
  const rt = ctx.deps.runtime;
  switch (rec.state.status) {
    case 'removing':
      rec.state.status = 'dead';
      await after.remove(rec.id);
      return;
    case 'running':
    case 'paused': {
      if (rec.state.conmonPid > 0 && rt.isAlive(rec.state.conmonPid)) {
        const run = new RunHandle(Date.parse(rec.state.startedAt));
        run.markStarted();
        ctx.runs.set(rec.id, run);
        startLogRotation(ctx, rec, run.stopLogs.signal);
        run.cancelWatch = rt.watchExit(p.stateDir, rec.id, () => void handleExit(ctx, run, rec.id, after));
        if (rec.state.status === 'running') ctx.healthWatch?.(rec, run);
        return;
      }
      const exit = await rt.readExit(p.stateDir, rec.id).catch(() => undefined);
      await releaseRunResources(ctx, rec);
      markExited(ctx, rec, exit, 'container monitor was gone at daemon start and recorded no exit code');
      await ctx.save(rec);
      if (rec.hostConfig.AutoRemove) await after.autoRemove(rec.id);
      return;
    }
    case 'restarting':
      rec.state.status = 'exited';
      await ctx.save(rec);
      return;
    default:
      // A start that berthd did not finish may have left the runtime's container (and its monitor) behind.
      await rt.delete(rec.id).catch((err: unknown) => ctx.log.warn('failed to delete stale runtime container', { id: rec.id, err }));
      for (const target of [p.rootfs, p.shm]) {
        try {
          ctx.deps.mounts.unmount(target);
        } catch (err) {
          ctx.log.warn('failed to unmount stale mount', { id: rec.id, target, err });
        }
      }
  }
}
