import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContainerBackend } from '../server/backends.js';
import type { Logger } from '../shared/logger.js';

/**
 * The label of the builder's step containers (the builder's BUILD_LABEL; a test keeps the two
 * equal). Spelled here so the boot sweep does not load the builder, which berthd imports on
 * the first build.
 */
export const BUILD_CONTAINER_LABEL = 'io.berth.build';

/**
 * Removes what a crashed daemon left of its builds: step containers (they carry the build
 * label) and unpacked contexts under `<dataRoot>/builder/tmp`.
 */
export async function sweepBuildLeftovers(containers: Pick<ContainerBackend, 'list' | 'remove'>, logger: Logger, dataRoot: string): Promise<void> {
  await rm(join(dataRoot, 'builder', 'tmp'), { recursive: true, force: true }).catch((err: unknown) => logger.warn('failed to remove build contexts', { err }));
  const leftovers = await containers.list({ all: true, filters: new Map([['label', [BUILD_CONTAINER_LABEL]]]) });
  for (const c of leftovers) {
    await containers.remove(c.Id, { force: true, volumes: true }).catch((err: unknown) => logger.warn('failed to remove build container', { id: c.Id, err }));
  }
}
