import type { BuildCacheRecord, DiskUsage } from '../../api-client/disk-usage.js';
import type { ImageSummary } from '../../api/types.js';
import { PS_HEADERS, containerContext } from './container-context.js';
import { parseFormat, renderFormat, templateFailure } from './formatter.js';
import { GoTemplate, STRICT } from './go-template.js';
import { IMAGES_HEADERS, imageContexts } from './image-context.js';
import { goTimeText } from './network-context.js';
import { VOLUMES_HEADERS, volumeContext } from './volume-context.js';
import { humanDuration, humanSize, shortId } from './units.js';

/** `system df` summary table and its headers. */
export const DF_TABLE = '{{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}';
export const DF_HEADERS: Record<string, string> = { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' };
const DF_RAW = 'type: {{.Type}}\ntotal: {{.TotalCount}}\nactive: {{.Active}}\nsize: {{.Size}}\nreclaimable: {{.Reclaimable}}\n';

const DF_IMAGES = '{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}';
const DF_CONTAINERS = '{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}';
const DF_VOLUMES = '{{.Name}}\t{{.Links}}\t{{.Size}}';
const DF_BUILD_CACHE = '{{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}';
const BUILD_CACHE_HEADERS: Record<string, string> = {
  ID: 'CACHE ID',
  Parent: 'PARENT',
  CacheType: 'CACHE TYPE',
  Size: 'SIZE',
  CreatedSince: 'CREATED',
  LastUsedSince: 'LAST USED',
  UsageCount: 'USAGE',
  InUse: 'IN USE',
  Shared: 'SHARED',
  Description: 'DESCRIPTION',
};

/**
 * `docker system df [-v] [--format F]` output for a GET /system/df reply (docker's
 * DiskUsageContext): four summary rows, or with `-v` one table per kind of object.
 */
export function renderDiskUsage(du: DiskUsage, format: string | undefined, verbose: boolean, now = Date.now()): string {
  const f = format === undefined || format === '' ? 'table' : format;
  if (verbose) return verboseDiskUsage(du, f, now);
  if (f === 'raw') return renderFormat({ table: false, template: DF_RAW }, summaryRows(du), DF_HEADERS);
  return renderFormat(parseFormat(f, DF_TABLE), summaryRows(du), DF_HEADERS, { typeName: '*formatter.diskUsageImagesContext' });
}

/** The four summary rows (images, containers, local volumes, build cache) as docker computes them. */
export function summaryRows(du: DiskUsage): Record<string, unknown>[] {
  const images = du.Images ?? [];
  const containers = du.Containers ?? [];
  const volumes = du.Volumes ?? [];
  const cache = du.BuildCache ?? [];
  const layers = du.LayersSize ?? 0;
  const withPercent = (reclaimable: number, total: number): string => (total > 0 ? `${humanSize(reclaimable, 4)} (${Math.trunc((reclaimable * 100) / total)}%)` : humanSize(reclaimable, 4));

  let imagesUsed = 0;
  for (const i of images) if (i.Containers !== 0 && i.Size !== -1 && i.SharedSize !== -1) imagesUsed += i.Size - (i.SharedSize ?? 0);
  const active = (s: string): boolean => s === 'running' || s === 'paused' || s === 'restarting';
  let cSize = 0;
  let cReclaimable = 0;
  for (const c of containers) {
    cSize += c.SizeRw ?? 0;
    if (!active(c.State)) cReclaimable += c.SizeRw ?? 0;
  }
  let vSize = 0;
  let vReclaimable = 0;
  for (const v of volumes) {
    const size = v.UsageData?.Size ?? -1;
    if (size === -1) continue;
    vSize += size;
    if ((v.UsageData?.RefCount ?? 0) === 0) vReclaimable += size;
  }
  let builder = 0;
  let inUse = 0;
  for (const b of cache) {
    if (!b.Shared) builder += b.Size;
    if (b.InUse && !b.Shared) inUse += b.Size;
  }
  const row = (r: Record<string, unknown>): Record<string, unknown> => {
    Object.defineProperty(r, STRICT, { value: true, enumerable: false });
    return r;
  };
  return [
    row({ Active: String(images.filter((i) => (i.Containers ?? 0) > 0).length), Reclaimable: withPercent(layers - imagesUsed, layers), Size: humanSize(layers, 4), TotalCount: String(images.length), Type: 'Images' }),
    row({ Active: String(containers.filter((c) => active(c.State)).length), Reclaimable: withPercent(cReclaimable, cSize), Size: humanSize(cSize, 4), TotalCount: String(containers.length), Type: 'Containers' }),
    row({ Active: String(volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length), Reclaimable: withPercent(vReclaimable, vSize), Size: humanSize(vSize, 4), TotalCount: String(volumes.length), Type: 'Local Volumes' }),
    row({ Active: String(cache.filter((b) => b.InUse).length), Reclaimable: humanSize(builder - inUse, 4), Size: humanSize(builder, 4), TotalCount: String(cache.length), Type: 'Build Cache' }),
  ];
}

function verboseDiskUsage(du: DiskUsage, format: string, now: number): string {
  const trunc = format.startsWith('table');
  const images = (du.Images ?? []).flatMap((i) => dfImage(i, trunc, now));
  const containers = (du.Containers ?? []).map((c) => containerContext({ ...c, SizeRootFs: 0 }, { trunc, now }));
  const volumes = (du.Volumes ?? []).map((v) => volumeContext(v));
  const cache = sortBuildCache(du.BuildCache ?? []).map((b) => buildCacheContext(b, trunc, now));
  if (format === 'table') {
    let builder = 0;
    for (const b of du.BuildCache ?? []) if (!b.Shared) builder += b.Size;
    const table = (template: string, rows: unknown[], headers: Record<string, string>): string => renderFormat({ table: true, template }, rows, headers);
    return [
      'Images space usage:\n\n',
      table(DF_IMAGES, images, IMAGES_HEADERS),
      '\nContainers space usage:\n\n',
      table(DF_CONTAINERS, containers, PS_HEADERS),
      '\nLocal Volumes space usage:\n\n',
      table(DF_VOLUMES, volumes, VOLUMES_HEADERS),
      `\nBuild cache usage: ${humanSize(builder, 4)}\n\n`,
      table(DF_BUILD_CACHE, cache, BUILD_CACHE_HEADERS),
    ].join('');
  }
  const fmt = parseFormat(format, '');
  // docker runs the template once over all four lists, without a trailing newline
  const duc = { Images: images, Containers: containers, Volumes: volumes, BuildCache: cache };
  Object.defineProperty(duc, STRICT, { value: true, enumerable: false });
  try {
    return new GoTemplate(fmt.template, {}, { typeName: '*formatter.diskUsageContext' }).execute(duc);
  } catch (e) {
    throw templateFailure(e, { parse: 'template parsing error: ', exec: '' });
  }
}

/** A df image row: the first tag only, `<none>` for dangling images (an unparsable tag drops the image). */
function dfImage(i: ImageSummary, trunc: boolean, now: number): Record<string, unknown>[] {
  let repo = '<none>';
  let tag = '<none>';
  const tags = i.RepoTags ?? [];
  const digests = i.RepoDigests ?? [];
  const dangling = (tags.length === 0 && digests.length === 0) || (tags.length === 1 && tags[0] === '<none>:<none>' && digests.length === 1 && digests[0] === '<none>@<none>');
  if (tags.length > 0 && !dangling) {
    const ref = tags[0]!;
    const slash = ref.lastIndexOf('/');
    const colon = ref.lastIndexOf(':');
    if (/[A-Z]/.test(ref.slice(0, colon > slash ? colon : ref.length))) return [];
    if (colon > slash) {
      repo = familiar(ref.slice(0, colon));
      tag = ref.slice(colon + 1);
    }
  }
  const [ctx] = imageContexts({ ...i, RepoTags: [], RepoDigests: [] }, { trunc, digests: false, now });
  return [Object.assign(ctx!, { Digest: '', Repository: repo, Tag: tag })];
}

function familiar(name: string): string {
  if (name.startsWith('docker.io/library/')) return name.slice('docker.io/library/'.length);
  if (name.startsWith('docker.io/')) return name.slice('docker.io/'.length);
  return name;
}

function sortBuildCache(list: BuildCacheRecord[]): BuildCacheRecord[] {
  return [...list].sort((a, b) => {
    const la = a.LastUsedAt ? Date.parse(a.LastUsedAt) : undefined;
    const lb = b.LastUsedAt ? Date.parse(b.LastUsedAt) : undefined;
    if (la === undefined && lb === undefined) return a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0;
    if (la === undefined) return -1;
    if (lb === undefined) return 1;
    if (la === lb) return a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0;
    return la - lb;
  });
}

function buildCacheContext(b: BuildCacheRecord, trunc: boolean, now: number): Record<string, unknown> {
  const id = trunc ? shortId(b.ID) : b.ID;
  // docker 28's CacheRecord tags `Parents` as " Parents" (sic), so only the deprecated `Parent` is ever set
  const parent = b.Parent ?? '';
  const since = (t: string): string => `${humanDuration(now - Date.parse(t))} ago`;
  const ctx: Record<string, unknown> = {
    CacheType: b.Type,
    CreatedAt: goTimeText(b.CreatedAt),
    CreatedSince: since(b.CreatedAt),
    Description: b.Description,
    ID: b.InUse ? `${id}*` : id,
    InUse: String(b.InUse),
    LastUsedAt: b.LastUsedAt ? goTimeText(b.LastUsedAt) : '',
    LastUsedSince: b.LastUsedAt ? since(b.LastUsedAt) : '',
    Parent: trunc ? shortId(parent) : parent,
    Shared: String(b.Shared),
    Size: humanSize(b.Size),
    UsageCount: String(b.UsageCount),
  };
  Object.defineProperty(ctx, STRICT, { value: true, enumerable: false });
  return ctx;
}
