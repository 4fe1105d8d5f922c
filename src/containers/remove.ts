import { EngineError, invalid } from '../shared/errors.js';
import type { ContainerRecord } from './container-record.js';
import { releaseRunResources, rootfsReleased } from './exit-handler.js';
import type { ServiceContext } from './service-context.js';
import { cancelPendingAttaches } from './start.js';
import { killForRemoval } from './stop.js';
import { dropVolumes, recordMounts } from './volume-mounts.js';
import { span } from '../shared/trace-timing.js';

/**
 * `docker rm`: (with force, kill and wait first), status `removing`, then drop the rootfs
 * snapshot, the container's dirs and its record, release its volumes (removing the anonymous
 * ones with `removeVolumes`, `rm -v`); wakes every waiter (`removed` included).
 * An auto-removed (`--rm`) container is gone as soon as its rootfs is unmounted: its snapshot and
 * dirs are deleted in the background (the CLI waits for the removal). Crash-safe as it is: its
 * record stays on disk until last, and berthd removes a `--rm` container it finds at boot.
 * Caller holds the lock and has checked the transition.
 */
export async function removeContainer(ctx: ServiceContext, rec: ContainerRecord, force: boolean, removeVolumes = false): Promise<void> {
  const t = span('remove', rec.id);
  if (force) await killForRemoval(ctx, rec);
  rec.state.status = 'removing';
  const background = Boolean(rec.hostConfig.AutoRemove);
  // An auto-removed container is removed again at boot if this is cut short: no need to record it.
  if (!background) await ctx.save(rec);
  t.mark('save');
  cancelPendingAttaches(ctx, rec.id);
  // `crun delete` finishes in the background: the runtime keeps its own copy of the config
  // in its state dir, so the bundle and the snapshot can go now.
  // (Already under way when the exit was processed: the exit handler released them.)
  if (!ctx.released.has(rec.id)) void releaseRunResources(ctx, rec);
  await rootfsReleased(ctx, rec.id);
  t.mark('release');
  if (background) {
    const files = dropFiles(ctx, rec).catch((err: unknown) => ctx.log.warn('failed to remove the files of an auto-removed container (removed again at the next boot)', { id: rec.id, err }));
    ctx.fileRemovals.add(files);
    void files.finally(() => ctx.fileRemovals.delete(files));
  } else {
    try {
      await dropFiles(ctx, rec);
    } catch (err) {
      rec.state.status = 'dead';
      rec.state.error = `failed to remove rootfs: ${(err as Error).message}`;
      await ctx.save(rec).catch(() => {});
      throw EngineError.wrap('internal', `failed to remove container ${rec.id}: failed to remove rootfs`, err);
    }
  }
  t.mark('files');
  ctx.records.delete(rec.id);
  ctx.released.delete(rec.id);
  ctx.names.forget(rec.id, rec.name);
  ctx.backoff.delete(rec.id);
  await dropVolumes(ctx, rec.id, recordMounts(rec), removeVolumes);
  ctx.waiters.removed(rec.id, rec.state.exitCode);
  ctx.emit(rec, 'destroy');
  t.mark('volumes+wake');
  t.end();
}

/** The rootfs snapshot, then the record and the container's dirs (the record last: it is what a retry at boot starts from). */
async function dropFiles(ctx: ServiceContext, rec: ContainerRecord): Promise<void> {
  try {
    await ctx.deps.snapshots.remove(rec.snapshotKey);
  } catch (err) {
    if (!EngineError.is(err, 'not-found')) throw err;
  }
  await ctx.store.remove(rec.id);
}

/** `docker rename`, with Docker's errors. Caller holds the lock. */
export async function renameContainer(ctx: ServiceContext, rec: ContainerRecord, newName: string): Promise<void> {
  if (!newName) throw invalid('Neither old nor new names may be empty');
  const full = newName.startsWith('/') ? newName : `/${newName}`;
  if (full === rec.name) throw invalid('Renaming a container with the same name as its current name');
  let reserved: string;
  try {
    reserved = ctx.names.reserve(newName, rec.id);
  } catch (err) {
    if (EngineError.is(err, 'conflict')) throw new EngineError('conflict', `Error when allocating new name: ${err.message}`);
    throw err;
  }
  const old = rec.name;
  rec.name = reserved;
  try {
    await ctx.save(rec);
  } catch (err) {
    rec.name = old;
    ctx.names.release(reserved);
    throw err;
  }
  ctx.names.release(old);
}
