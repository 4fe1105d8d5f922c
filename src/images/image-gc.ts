import type { Digest } from '../shared/digest.js';
import type { ImageServiceDeps } from './deps.js';
import type { ImageIndex } from './image-index.js';
import { activeExtracts, chainIds, EXTRACT_PREFIX, withChainLock } from './unpack.js';

const CHAIN_KEY = /^sha256:[a-f0-9]{64}$/;

export interface GarbageReport {
  snapshots: string[];
  blobs: Digest[];
}

/**
 * Removes what no image needs: leftover unpack snapshots (`extract-*`, e.g. after a crash),
 * committed layer snapshots (named by ChainID) that no image references and nothing is
 * built on (e.g. kept alive by a container until it was removed), and, with `blobs`,
 * content-store blobs no image references. Leased content is skipped.
 * Call at boot and after a container is removed.
 */
export async function collectGarbage(deps: ImageServiceDeps, index: ImageIndex, opts: { blobs?: boolean } = {}): Promise<GarbageReport> {
  return index.exclusive(async () => {
    const report: GarbageReport = { snapshots: [], blobs: [] };
    const liveChains = new Set<string>();
    const liveBlobs = new Set<string>();
    for (const r of index.all()) {
      for (const c of chainIds(r.layers.map((l) => l.diffId))) liveChains.add(c);
      liveBlobs.add(r.id);
      for (const l of r.layers) liveBlobs.add(l.digest);
      for (const m of r.manifests) liveBlobs.add(m.digest);
    }
    for (const s of await deps.snapshotter.list()) {
      if (s.key.startsWith(EXTRACT_PREFIX) && !activeExtracts.has(s.key)) {
        await deps.snapshotter.remove(s.key).then(
          () => report.snapshots.push(s.key),
          () => undefined,
        );
      }
    }
    for (let progress = true; progress; ) {
      progress = false;
      const all = await deps.snapshotter.list();
      const parents = new Set(all.map((s) => s.parent).filter((p): p is string => p !== null));
      for (const s of all) {
        if (s.kind !== 'committed' || !CHAIN_KEY.test(s.key) || liveChains.has(s.key) || parents.has(s.key)) continue;
        const gone = await withChainLock(s.key, async () => {
          if (index.leases.has(s.key)) return false;
          return deps.snapshotter.remove(s.key).then(
            () => true,
            () => false,
          );
        });
        if (gone) {
          report.snapshots.push(s.key);
          progress = true;
        }
      }
    }
    if (opts.blobs && deps.content.list) {
      for (const b of await deps.content.list()) {
        if (liveBlobs.has(b.digest) || index.leases.has(b.digest)) continue;
        await deps.content.delete(b.digest).then(
          () => report.blobs.push(b.digest),
          () => undefined,
        );
      }
    }
    return report;
  });
}
