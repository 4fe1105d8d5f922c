import type { Readable } from 'node:stream';
import { EngineError, invalid } from '../shared/errors.js';
import { tarPathStream } from './archive-get.js';
import { extractInto } from './archive-put.js';
import { cleanContainerPath, openContainerRoot } from './archive-root.js';
import { lstatOrNotFound, statPath, type PathStat } from './archive-stat.js';
import { overlayChanges, type ContainerChange } from './changes.js';
import type { ServiceContext } from './service-context.js';

export type { PathStat, ContainerChange };

/** `PUT /containers/{id}/archive` query options. */
export interface PutArchiveOptions {
  noOverwriteDirNonDir?: boolean;
  copyUIDGID?: boolean;
}

function checkPath(path: string | undefined): string {
  if (!path) throw invalid('bad parameter: path cannot be empty');
  return path;
}

/** `HEAD /containers/{id}/archive`: stat of a path inside the container. */
export async function archiveStat(ctx: ServiceContext, ref: string, rawPath: string | undefined): Promise<PathStat> {
  const path = checkPath(rawPath);
  const rec = ctx.get(ref);
  const { root, release } = await openContainerRoot(ctx, rec);
  try {
    const p = cleanContainerPath(path);
    return await statPath(root, await root.resolve(p.clean, p.followLast), p.base, path, ref);
  } finally {
    await release();
  }
}

/** `GET /containers/{id}/archive`: stat plus a tar of the path (the rootfs stays open until the stream ends). */
export async function archiveGet(ctx: ServiceContext, ref: string, rawPath: string | undefined): Promise<{ stat: PathStat; tar: Readable }> {
  const path = checkPath(rawPath);
  const rec = ctx.get(ref);
  const { root, release } = await openContainerRoot(ctx, rec);
  try {
    const p = cleanContainerPath(path);
    const resolved = await root.resolve(p.clean, p.followLast);
    const stat = await statPath(root, resolved, p.base, path, ref);
    const tar = tarPathStream(resolved.host, p.base, () => void release());
    return { stat, tar };
  } catch (err) {
    await release();
    throw err;
  }
}

/** `PUT /containers/{id}/archive`: extract a tar into an existing directory of the container. */
export async function archivePut(ctx: ServiceContext, ref: string, rawPath: string | undefined, src: Readable, opts: PutArchiveOptions): Promise<void> {
  const path = checkPath(rawPath);
  const rec = ctx.get(ref);
  const { root, release } = await openContainerRoot(ctx, rec);
  try {
    const p = cleanContainerPath(path);
    const resolved = await root.resolve(p.clean, true);
    const st = await lstatOrNotFound(resolved.host, path, ref);
    if ((Number(st.mode) & 0o170000) !== 0o040000) throw invalid('extraction point is not a directory');
    if (rec.hostConfig.ReadonlyRootfs && resolved.host.startsWith(root.rootfs)) {
      throw new EngineError('internal', 'container rootfs is marked read-only');
    }
    let chown: { uid: number; gid: number } | undefined;
    if (opts.copyUIDGID && rec.config.User) {
      const u = await ctx.deps.spec.resolveUser(root.rootfs, rec.config.User, []);
      chown = { uid: u.uid, gid: u.gid };
    }
    try {
      await extractInto(root, resolved.container, src, { noOverwriteDirNonDir: Boolean(opts.noOverwriteDirNonDir), chown });
    } catch (err) {
      // dockerd's wording (its untar runs in a chrooted child process)
      throw EngineError.wrap('internal', 'Error processing tar file(exit status 1)', err);
    }
  } finally {
    await release();
  }
}

/** `GET /containers/{id}/changes`: the container's changes against its image. */
export async function containerChanges(ctx: ServiceContext, ref: string): Promise<ContainerChange[]> {
  const rec = ctx.get(ref);
  let graph: Record<string, string>;
  try {
    graph = await ctx.deps.snapshots.graphData(rec.snapshotKey);
  } catch (err) {
    throw EngineError.wrap('internal', `failed to get changes of container ${rec.id}`, err);
  }
  if (!graph.UpperDir) return [];
  return overlayChanges(graph.UpperDir, graph.LowerDir ? graph.LowerDir.split(':') : []);
}

