import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Digest } from '../shared/digest.js';
import { sha256 } from '../shared/digest.js';
import { EngineError } from '../shared/errors.js';
import type { Snapshotter } from '../snapshots/snapshotter.js';
import type { ImageContent, LayerArchive } from './deps.js';

/** OCI ChainIDs: ChainID(L0)=DiffID(L0), ChainID(Ln)=sha256(ChainID(Ln-1) + " " + DiffID(Ln)). */
export function chainIds(diffIds: readonly string[]): Digest[] {
  const out: Digest[] = [];
  for (const d of diffIds) {
    const prev = out[out.length - 1];
    out.push(prev === undefined ? (d as Digest) : sha256(`${prev} ${d}`));
  }
  return out;
}

/**
 * The blob bytes of a layer while they are still arriving (a pull unpacking as it downloads).
 * Nothing unpacked from it is committed before `verified` resolves.
 */
export interface LayerFeed {
  /** The (compressed) blob bytes, from the first one, as they arrive. */
  stream: Readable;
  /** Resolves once the blob is committed to the content store with its digest verified. */
  verified: Promise<void>;
  /** Stop feeding `stream` (the unpacker is done with it or gave up); safe to call twice. */
  detach(): void;
}

/** A layer blob to unpack. */
export interface UnpackLayer {
  /** Blob digest in the content store. */
  digest: Digest;
  /** Expected DiffID from the image config. */
  diffId: Digest;
  /**
   * A blob that is not stored yet: called when this layer's turn comes; resolves to a live
   * feed, or to undefined once the blob is stored (rejects when it cannot be had).
   */
  open?: () => Promise<LayerFeed | undefined>;
  /** Told (instead of `open`) when the layer's chain is unpacked already. */
  skip?: () => void;
}

export interface UnpackResult {
  chainIds: Digest[];
  /** Unpacked size per layer (its files' and symlinks' bytes, Docker's measure), null where the chain already existed. */
  sizes: (number | null)[];
  /** Chains this call committed (so a failed load can roll them back). */
  created: Digest[];
}

const inflight = new Map<string, Promise<unknown>>();

/** Temp snapshot keys of unpacks running in this process (GC leaves them alone). */
export const activeExtracts = new Set<string>();
export const EXTRACT_PREFIX = 'extract-';

/** Serializes work on one chain id within this process (unpack vs. garbage collection). */
export async function withChainLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = inflight.get(key) ?? Promise.resolve();
  const p = prev.then(fn, fn);
  const tail = p.catch(() => undefined);
  inflight.set(key, tail);
  try {
    return await p;
  } finally {
    if (inflight.get(key) === tail) inflight.delete(key);
  }
}

/**
 * Makes every layer of an image a committed snapshot named by its ChainID.
 * For each missing chain: prepare a temp active snapshot on the parent chain, apply the
 * decompressed blob into its upper dir (overlay whiteouts), verify the DiffID, commit.
 * A DiffID mismatch throws invalid-argument and leaves no temp snapshot behind; chains
 * committed before the failure are pushed to `track` so the caller can roll them back.
 *
 * @example
 *   const { chainIds } = await unpackImage({ content, snapshotter, archive }, layers);
 */
export async function unpackImage(
  deps: { content: ImageContent; snapshotter: Snapshotter; archive: LayerArchive },
  layers: readonly UnpackLayer[],
  track?: Digest[],
): Promise<UnpackResult> {
  const { content, snapshotter, archive } = deps;
  const ids = chainIds(layers.map((l) => l.diffId));
  const sizes: (number | null)[] = [];
  const created: Digest[] = [];
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    const chain = ids[i]!;
    const parent = i === 0 ? null : ids[i - 1]!;
    const size = await withChainLock(chain, async () => {
      const existing = await snapshotter.stat(chain);
      if (existing && existing.kind === 'committed') {
        layer.skip?.();
        return null;
      }
      const tmpKey = `${EXTRACT_PREFIX}${randomBytes(6).toString('hex')}-${chain.slice(7, 19)}`;
      activeExtracts.add(tmpKey);
      try {
        await snapshotter.prepare(tmpKey, parent);
      } catch (err) {
        activeExtracts.delete(tmpKey);
        throw EngineError.is(err) ? err : EngineError.wrap('internal', `failed to prepare snapshot for layer ${layer.digest}`, err);
      }
      try {
        const applied = await applyBlob(deps, layer, i, () => snapshotter.upperDir(tmpKey), () => snapshotter.remove(tmpKey).then(() => snapshotter.prepare(tmpKey, parent)));
        try {
          await snapshotter.commit(chain, tmpKey);
        } catch (err) {
          if ((await snapshotter.stat(chain))?.kind !== 'committed') throw err;
          await snapshotter.remove(tmpKey).catch(() => undefined);
          return null; // another unpacker won the race
        }
        created.push(chain);
        track?.push(chain);
        return applied.contentSize ?? applied.size;
      } catch (err) {
        await snapshotter.remove(tmpKey).catch(() => undefined);
        if (EngineError.is(err)) throw err;
        throw EngineError.wrap('internal', `failed to unpack layer ${layer.digest}`, err);
      } finally {
        activeExtracts.delete(tmpKey);
      }
    });
    sizes.push(size);
  }
  return { chainIds: ids, sizes, created };
}

async function applyFrom(deps: { content: ImageContent; archive: LayerArchive }, blob: Readable, dir: string, index: number, diffId: Digest): Promise<{ size: number; contentSize?: number }> {
  const tar = await deps.archive.decompress(blob);
  // one syncfs at the end instead of an fsync per file: the commit that follows makes it visible
  const applied = await deps.archive.applyLayer(tar, dir, { whiteoutFormat: 'overlay', sync: true });
  if (applied.diffId !== diffId) {
    throw new EngineError('invalid-argument', `invalid diffID for layer ${index}: expected ${JSON.stringify(diffId)}, got ${JSON.stringify(applied.diffId)}`);
  }
  return applied;
}

/**
 * Applies one layer blob onto `dir`: from its live feed when the blob is still arriving
 * (then waits for the blob's digest check), else from the content store. A feed that breaks
 * while the blob itself arrives intact is retried from the store on a fresh `dir` (`reset`).
 */
async function applyBlob(
  deps: { content: ImageContent; archive: LayerArchive },
  layer: UnpackLayer,
  index: number,
  dir: () => string,
  reset: () => Promise<unknown>,
): Promise<{ size: number; contentSize?: number }> {
  const feed = layer.open ? await layer.open() : undefined;
  if (feed) {
    let applied: { size: number; contentSize?: number } | undefined;
    try {
      applied = await applyFrom(deps, feed.stream, dir(), index, layer.diffId);
    } catch {
      // a broken feed or bad bytes: once the blob is verified, its stored copy decides
    } finally {
      feed.detach();
    }
    await feed.verified; // a bad or failed download wins over what the feed produced
    if (applied) return applied;
    await reset();
  }
  return applyFrom(deps, await deps.content.createReadStream(layer.digest), dir(), index, layer.diffId);
}
