import type { ContainerBackend, ImageBackend, VolumeBackend } from '../server/backends.js';

/**
 * `GET /system/df` (docker system df, docker-py `df()`): images with their container counts,
 * containers with sizes, volumes with usage, an empty build cache.
 */
export async function systemDf(images: ImageBackend, containers: ContainerBackend, volumes: VolumeBackend): Promise<Record<string, unknown>> {
  const [imgs, ctrs] = await Promise.all([images.list({ all: false }), containers.list({ all: true, size: true })]);
  const users = new Map<string, number>();
  for (const c of ctrs) users.set(c.ImageID, (users.get(c.ImageID) ?? 0) + 1);
  const vols = volumes.list().Volumes.map((v) => ({ ...v, UsageData: { Size: -1, RefCount: 0 } }));
  return {
    LayersSize: imgs.reduce((n, i) => n + (i.Size ?? 0), 0),
    Images: imgs.map((i) => ({ ...i, Containers: users.get(i.Id) ?? 0 })),
    Containers: ctrs,
    Volumes: vols,
    BuildCache: [],
  };
}
