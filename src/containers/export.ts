import type { Readable } from 'node:stream';
import { tarDirectory } from '../archive/index.js';
import { openContainerRoot } from './archive-root.js';
import type { ServiceContext } from './service-context.js';

/**
 * `docker export`: the container's root filesystem flattened into one plain tar (no
 * volumes or bind mounts, as dockerd's), importable again with `docker import`. A running
 * container is read through its live overlay, a stopped one through its snapshot mounted
 * read-only; the container stays locked and mounted until the stream ends or is destroyed.
 *
 * @example (await exportContainer(ctx, 'web')).pipe(fs.createWriteStream('web.tar'))
 */
export async function exportContainer(ctx: ServiceContext, ref: string): Promise<Readable> {
  const rec = ctx.get(ref);
  const { root, release } = await openContainerRoot(ctx, rec, { readOnly: true });
  let tar: Readable;
  try {
    tar = tarDirectory(root.rootfs);
  } catch (err) {
    await release();
    throw err;
  }
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    void release();
  };
  tar.once('close', once);
  tar.once('end', once);
  tar.once('error', once);
  return tar;
}
