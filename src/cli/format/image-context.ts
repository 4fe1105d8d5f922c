import type { ImageSummary } from '../../api/types.js';
import { STRICT } from './go-template.js';
import { goTimeString, humanDuration, humanSize, shortId } from './units.js';

export const IMAGES_TABLE = '{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
export const IMAGES_TABLE_DIGESTS = '{{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';

export const IMAGES_HEADERS: Record<string, string> = {
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  Digest: 'DIGEST',
  ID: 'IMAGE ID',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  Containers: 'CONTAINERS',
  SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE',
  VirtualSize: 'VIRTUAL SIZE',
};

/** One `images` row per (repository, tag), as docker expands an image summary. */
export function imageContexts(img: ImageSummary, opts: { trunc: boolean; digests: boolean; now?: number }): Record<string, unknown>[] {
  const now = opts.now ?? Date.now();
  const rows: { repo: string; tag: string; digest: string }[] = [];
  const digests = new Map<string, string>();
  for (const d of img.RepoDigests ?? []) {
    const at = d.indexOf('@');
    if (at > 0) digests.set(d.slice(0, at), d.slice(at + 1));
  }
  const tags = (img.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
  for (const t of tags) {
    const c = t.lastIndexOf(':');
    const repo = c > t.lastIndexOf('/') ? t.slice(0, c) : t;
    const tag = c > t.lastIndexOf('/') ? t.slice(c + 1) : '<none>';
    rows.push({ repo, tag, digest: digests.get(repo) ?? '<none>' });
  }
  if (rows.length === 0) {
    if (digests.size) for (const [repo, digest] of digests) rows.push({ repo, tag: '<none>', digest });
    else rows.push({ repo: '<none>', tag: '<none>', digest: '<none>' });
  }
  return rows.map((r) => {
    const ctx: Record<string, unknown> = {
      Containers: img.Containers === undefined || img.Containers < 0 ? 'N/A' : String(img.Containers),
      get CreatedAt() { return goTimeString(img.Created); }, // lazy: Intl zone names cost ms off UTC
      CreatedSince: `${humanDuration(now - img.Created * 1000)} ago`,
      Digest: opts.digests ? r.digest : '<none>',
      ID: opts.trunc ? shortId(img.Id) : img.Id,
      Repository: r.repo,
      SharedSize: img.SharedSize === undefined || img.SharedSize < 0 ? 'N/A' : humanSize(img.SharedSize, 4),
      Size: humanSize(img.Size),
      Tag: r.tag,
      UniqueSize: img.SharedSize === undefined || img.SharedSize < 0 || img.Size < 0 ? 'N/A' : humanSize(img.Size - img.SharedSize, 4),
      VirtualSize: humanSize(img.VirtualSize ?? img.Size, 4),
    };
    Object.defineProperty(ctx, STRICT, { value: true, enumerable: false });
    return ctx;
  });
}
