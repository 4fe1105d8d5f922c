import type { Volume } from '../api/types.js';
import type { ContainerBackend, ImageBackend } from '../server/backends.js';

/** Volumes with their size and reference count (src/volumes VolumeService.usage). */
export interface VolumeUsage {
  usage(): Promise<(Volume & { UsageData: { Size: number; RefCount: number } })[]>;
}

/**
 * `GET /system/df` (docker system df, docker-py `df()`): images with their container counts,
 * containers with sizes, local volumes with size and reference count, an empty build cache.
 */
export async function systemDf(images: ImageBackend, containers: ContainerBackend, volumes: VolumeUsage): Promise<Record<string, unknown>> {
  const [imgs, ctrs, vols] = await Promise.all([images.list({ all: false }), containers.list({ all: true, size: true }), volumes.usage()]);
  const users = new Map<string, number>();
  for (const c of ctrs) users.set(c.ImageID, (users.get(c.ImageID) ?? 0) + 1);
  return {
    LayersSize: imgs.reduce((n, i) => n + (i.Size ?? 0), 0),
    Images: imgs.map((i) => ({ ...i, Containers: users.get(i.Id) ?? 0 })),
    Containers: ctrs,
    Volumes: vols,
    BuildCache: [],
  };
}
