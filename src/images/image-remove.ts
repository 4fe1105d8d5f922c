import type { ImageDeleteItem } from '../api/types.js';
import type { Digest } from '../shared/digest.js';
import { conflict } from '../shared/errors.js';
import { shortId } from '../shared/ids.js';
import type { ImageServiceDeps } from './deps.js';
import type { ImageIndex, ImageRecord } from './image-index.js';
import { isImageIdPrefix, resolveRecord } from './image-resolver.js';
import { familiar } from './image-views.js';
import { fullString, parseReference, repositoryName, withDefaultTag } from './reference.js';
import { chainIds, withChainLock } from './unpack.js';

/** Repository of a stored full reference (`docker.io/library/busybox:latest` -> `docker.io/library/busybox`). */
function repoOf(full: string): string {
  return repositoryName(parseReference(full));
}

/** Docker's isSingleReference: at most one tag, and digest refs only of that tag's repository. */
function isSingleReference(rec: ImageRecord): boolean {
  const n = rec.repoTags.length + rec.repoDigests.length;
  if (n <= 1) return n === 1;
  if (rec.repoTags.length > 1) return false;
  const canonical = new Set(rec.repoDigests.map(repoOf));
  const single = rec.repoTags[0] ?? rec.repoDigests[0]!;
  return canonical.size === 1 && canonical.has(repoOf(single));
}

interface Conflict {
  hard: boolean;
  used: boolean;
  message: string;
}

type Mask = { running: boolean; reference: boolean; stopped: boolean };

function checkConflict(deps: ImageServiceDeps, rec: ImageRecord, mask: Mask, hasChildren = false): Conflict | undefined {
  if (mask.running && hasChildren) return { hard: true, used: false, message: 'image has dependent child images' };
  const use = deps.usage?.(rec.id);
  if (mask.running && use?.running) return { hard: true, used: true, message: `image is being used by running container ${shortId(use.containerId)}` };
  if (mask.reference && rec.repoTags.length + rec.repoDigests.length > 0) return { hard: false, used: false, message: 'image is referenced in multiple repositories' };
  if (mask.stopped && use && !use.running) return { hard: false, used: true, message: `image is being used by stopped container ${shortId(use.containerId)}` };
  return undefined;
}

function conflictError(rec: ImageRecord, c: Conflict): Error {
  return conflict(`conflict: unable to delete ${shortId(rec.id)} (${c.hard ? 'cannot be forced' : 'must be forced'}) - ${c.message}`);
}

export interface RemoveOutcome {
  items: ImageDeleteItem[];
  /** Unpacked bytes of the snapshots removed. */
  reclaimed: number;
}

/**
 * `docker rmi` semantics (moby daemon/images/image_delete.go): a name untags; the last
 * reference or an ID deletes the image, its unshared blobs and snapshots. Conflicts use
 * Docker's wording and soft ones yield to force. An image other images were committed or
 * built from (their `parent`) is never deleted: by ID that is a hard conflict, by its last
 * tag it is only untagged. With `prune`, deleting an image also deletes its untagged,
 * unused parents that have no other children (a build's intermediate images).
 */
export async function removeImage(deps: ImageServiceDeps, index: ImageIndex, ref: string, force: boolean, prune = true): Promise<RemoveOutcome> {
  const { items, deleted } = await index.update((images) => {
    const found = resolveRecord(index, ref);
    const rec = images.get(found.id)!;
    const hasChildren = (id: string): boolean => [...images.values()].some((r) => r.parent === id);
    const out: ImageDeleteItem[] = [];
    const untagAll = (): void => {
      for (const t of [...rec.repoTags, ...rec.repoDigests]) out.push({ Untagged: familiar(t) });
      rec.repoTags = [];
      rec.repoDigests = [];
    };
    let quiet = false;
    if (!isImageIdPrefix(rec.id, ref)) {
      if (!force && isSingleReference(rec)) {
        const use = deps.usage?.(rec.id);
        if (use) {
          throw conflict(
            `conflict: unable to remove repository reference ${JSON.stringify(ref)} (must force) - container ${shortId(use.containerId)} is using its referenced image ${shortId(rec.id)}`,
          );
        }
      }
      const parsed = parseReference(ref);
      if (parsed.digest !== undefined) {
        const canonical = fullString({ domain: parsed.domain, path: parsed.path, digest: parsed.digest });
        rec.repoDigests = rec.repoDigests.filter((d) => d !== canonical);
        out.push({ Untagged: familiar(canonical) });
      } else {
        const tagged = fullString(withDefaultTag(parsed));
        rec.repoTags = rec.repoTags.filter((t) => t !== tagged);
        out.push({ Untagged: familiar(tagged) });
        const repo = repositoryName(parsed);
        if (!rec.repoTags.some((t) => repoOf(t) === repo)) {
          for (const d of rec.repoDigests.filter((x) => repoOf(x) === repo)) out.push({ Untagged: familiar(d) });
          rec.repoDigests = rec.repoDigests.filter((x) => repoOf(x) !== repo);
        }
      }
      if (rec.repoTags.length + rec.repoDigests.length > 0) return { items: out, deleted: [] as ImageRecord[] };
      quiet = true;
    } else if (isSingleReference(rec)) {
      const c = checkConflict(deps, rec, { running: true, reference: false, stopped: !force }, hasChildren(rec.id));
      if (c) throw conflictError(rec, c);
      untagAll();
    }
    const c = checkConflict(deps, rec, { running: true, reference: !force, stopped: !force }, hasChildren(rec.id));
    if (c) {
      if (quiet && (c.used || hasChildren(rec.id))) return { items: out, deleted: [] };
      throw conflictError(rec, c);
    }
    untagAll();
    images.delete(rec.id);
    out.push({ Deleted: rec.id });
    const gone = [rec];
    for (let p = prune ? images.get(rec.parent ?? '') : undefined; p; p = images.get(p.parent ?? '')) {
      if (p.repoTags.length + p.repoDigests.length > 0 || hasChildren(p.id) || deps.usage?.(p.id)) break;
      images.delete(p.id);
      out.push({ Deleted: p.id });
      gone.push(p);
    }
    return { items: out, deleted: gone };
  });
  let reclaimed = 0;
  for (const rec of deleted) {
    const gc = await collectGarbage(deps, index, rec);
    for (const chain of gc.chains) items.push({ Deleted: chain });
    reclaimed += gc.reclaimed;
  }
  return { items, reclaimed };
}

/** Removes blobs and snapshots of a deleted image that no remaining image needs. */
async function collectGarbage(deps: ImageServiceDeps, index: ImageIndex, rec: ImageRecord): Promise<{ chains: Digest[]; reclaimed: number }> {
  return index.exclusive(async () => {
    const remaining = index.all();
    const liveBlobs = new Set<string>();
    const liveChains = new Set<string>();
    for (const r of remaining) {
      liveBlobs.add(r.id);
      for (const l of r.layers) liveBlobs.add(l.digest);
      for (const m of r.manifests) liveBlobs.add(m.digest);
      for (const c of chainIds(r.layers.map((l) => l.diffId))) liveChains.add(c);
    }
    for (const d of [rec.id, ...rec.layers.map((l) => l.digest), ...rec.manifests.map((m) => m.digest)]) {
      if (!liveBlobs.has(d) && !index.leases.has(d)) await deps.content.delete(d as Digest).catch(() => undefined);
    }
    const chains = chainIds(rec.layers.map((l) => l.diffId));
    const removed: Digest[] = [];
    let reclaimed = 0;
    for (let i = chains.length - 1; i >= 0; i--) {
      const chain = chains[i]!;
      if (liveChains.has(chain)) break;
      const gone = await withChainLock(chain, async () => {
        if (index.leases.has(chain)) return false;
        try {
          await deps.snapshotter.remove(chain);
          return true;
        } catch {
          return false; // still a parent of something (e.g. a container's snapshot)
        }
      });
      if (!gone) break;
      removed.push(chain);
      reclaimed += rec.layers[i]!.diffSize;
    }
    return { chains: removed, reclaimed };
  });
}
