import type { ImageHistoryItem, ImageInspect, ImageSummary } from '../api/types.js';
import type { ImageRecord } from './image-index.js';
import { createdUnix, type ImageConfigJSON } from './image-config.js';
import { familiarString, parseReference } from './reference.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Stored full reference -> familiar (`docker.io/library/busybox:latest` -> `busybox:latest`). */
export function familiar(full: string): string {
  return familiarString(parseReference(full));
}

/** Docker's image Size: the sum of the layers' unpacked sizes. */
export function imageSize(rec: ImageRecord): number {
  return rec.layers.reduce((n, l) => n + l.diffSize, 0);
}

/** GET /images/json item (API v1.43 shape: dangling images show `<none>:<none>`). */
export function toSummary(rec: ImageRecord, cfg: ImageConfigJSON, repoTags?: string[], parentId = ''): ImageSummary {
  const tags = repoTags ?? rec.repoTags.map(familiar);
  const digests = rec.repoDigests.map(familiar);
  const dangling = tags.length === 0 && digests.length === 0;
  const size = imageSize(rec);
  return {
    Containers: -1,
    Created: createdUnix(cfg.created),
    Id: rec.id,
    Labels: cfg.config?.Labels ?? {},
    ParentId: parentId,
    RepoDigests: dangling ? ['<none>@<none>'] : digests,
    RepoTags: dangling ? ['<none>:<none>'] : tags,
    SharedSize: -1,
    Size: size,
    VirtualSize: size,
  };
}

/** GET /images/{name}/json */
export function toInspect(rec: ImageRecord, cfg: ImageConfigJSON, graphData: Record<string, string>, parentId?: string): ImageInspect {
  const size = imageSize(rec);
  const out: ImageInspect = {
    Id: rec.id,
    RepoTags: rec.repoTags.map(familiar),
    RepoDigests: rec.repoDigests.map(familiar),
    Parent: parentId ?? '',
    Comment: cfg.comment || (cfg.history?.at(-1)?.comment ?? ''),
    Created: cfg.created ?? ZERO_TIME,
    Container: cfg.container ?? '',
    ContainerConfig: cfg.container_config ?? emptyContainerConfig(),
    DockerVersion: cfg.docker_version ?? '',
    Author: cfg.author ?? '',
    Config: cfg.config ?? emptyContainerConfig(),
    Architecture: cfg.architecture ?? '',
    Os: cfg.os ?? '',
    Size: size,
    VirtualSize: size,
    GraphDriver: { Name: 'overlay2', Data: graphData },
    RootFS: { Type: 'layers', Layers: rec.layers.map((l) => l.diffId) },
    Metadata: { LastTagTime: rec.lastTagTime || ZERO_TIME },
  };
  if (cfg.variant) out.Variant = cfg.variant;
  if (cfg['os.version']) out.OsVersion = cfg['os.version'];
  return out;
}

function emptyContainerConfig(): ImageInspect['Config'] {
  return {
    Hostname: '',
    Domainname: '',
    User: '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: null,
    Cmd: null,
    Image: '',
    Volumes: null,
    WorkingDir: '',
    Entrypoint: null,
    OnBuild: null,
    Labels: null,
  };
}

/**
 * GET /images/{name}/history: newest first; as dockerd does, the newest entry carries the
 * image ID and its tags, each older entry the next image up the parent chain (commit and
 * build record parents; `parentOf` looks them up), the rest `<missing>`. Size from the
 * layer each non-empty history entry created.
 */
export function toHistory(rec: ImageRecord, cfg: ImageConfigJSON, parentOf: (id: string) => ImageRecord | undefined = () => undefined): ImageHistoryItem[] {
  const items: ImageHistoryItem[] = [];
  let layer = 0;
  for (const h of cfg.history ?? []) {
    let size = 0;
    if (!h.empty_layer) {
      size = rec.layers[layer]?.diffSize ?? 0;
      layer++;
    }
    items.unshift({ Id: '<missing>', Created: createdUnix(h.created), CreatedBy: h.created_by ?? '', Tags: null, Size: size, Comment: h.comment ?? '' });
  }
  let cur: ImageRecord | undefined = rec;
  for (const item of items) {
    if (!cur) break;
    item.Id = cur.id;
    item.Tags = cur.repoTags.length ? cur.repoTags.map(familiar) : null;
    cur = cur.parent ? parentOf(cur.parent) : undefined;
  }
  return items;
}
