import { readTar } from '../archive/index.js';
import type { Digest } from '../shared/digest.js';
import { EngineError, invalid } from '../shared/errors.js';
import type { ImageServiceDeps } from './deps.js';
import type { ImageIndex, ImageRecord, LayerRecord, ManifestRecord } from './image-index.js';
import { diffIdsOf, parseImageConfig } from './image-config.js';
import { chainIds, unpackImage, type LayerFeed, type UnpackResult } from './unpack.js';
import { isoTime } from '../shared/iso-time.js';

/** A layer blob already in the content store. */
export interface BlobLayer {
  digest: Digest;
  mediaType: string;
  size: number;
  /** The blob is still arriving: see UnpackLayer.open (a pull unpacking while it downloads). */
  open?: () => Promise<LayerFeed | undefined>;
  /** Told when the layer needs no unpacking (see UnpackLayer.skip). */
  skip?: () => void;
  /** The layer's size when the caller measured it (a commit that unpacked it while storing). */
  diffSize?: number;
}

/** What load/import/pull hand over once every blob is in the content store. */
export interface RegisterImageInput {
  /** Config blob digest (= image ID). */
  config: Digest;
  /** Layer blobs in order, one per config rootfs.diff_ids entry. */
  layers: BlobLayer[];
  manifests?: ManifestRecord[];
  /** Fully qualified tags to point at this image (moved away from other images). */
  tags?: string[];
  /** Fully qualified digest references (`docker.io/library/busybox@sha256:...`). */
  digests?: string[];
  /**
   * Settles once every layer blob is stored (when some still arrive: see BlobLayer.open);
   * nothing is measured or published before it resolves, and its rejection fails the call.
   */
  blobsStored?: Promise<void>;
  /** The image this one was made from (commit, build step): recorded for inspect and history. */
  parent?: Digest;
}

export interface RegisterImageResult {
  id: Digest;
  /** Tags that pointed at another image before (for "renaming the old one" messages). */
  moved: { ref: string; oldId: string }[];
  unpack: UnpackResult;
}

/**
 * A layer's size as Docker counts it (not the tar's length: the bytes of its regular files
 * and symlink targets, as dockerd's overlay2 measures an unpacked layer; the layer worker
 * counts the same), for chains that already existed (no applyLayer size at hand).
 */
async function plainSize(deps: ImageServiceDeps, digest: Digest): Promise<number> {
  const tar = await deps.archive.decompress(await deps.content.createReadStream(digest));
  let n = 0;
  for await (const e of readTar(tar)) {
    const h = e.header;
    n += h.type === 'file' ? h.size : h.type === 'symlink' ? Buffer.byteLength(h.linkname) : 0;
    for await (const _ of e.body()) void _;
  }
  return n;
}

/** An image whose layers are unpacked, ready to be published in the index. */
export interface PreparedImage {
  input: RegisterImageInput;
  /** Drops the leases taken on the image's blobs and chains (call after publishing). */
  release: () => void;
  layers: LayerRecord[];
  unpack: UnpackResult;
}

/** Verifies the config, unpacks every layer into committed snapshots and measures layers. */
export async function prepareImage(deps: ImageServiceDeps, index: ImageIndex, input: RegisterImageInput, track?: Digest[]): Promise<PreparedImage> {
  if (!(await deps.content.has(input.config))) throw invalid(`invalid image: config blob ${input.config} is missing`);
  const cfg = parseImageConfig(await deps.content.readBuffer(input.config));
  const diffIds = diffIdsOf(cfg);
  if (diffIds.length !== input.layers.length) {
    throw invalid(`invalid manifest, layers length mismatch: expected ${input.layers.length}, got ${diffIds.length}`);
  }
  const release = index.leases.acquire([input.config, ...input.layers.map((l) => l.digest), ...(input.manifests ?? []).map((m) => m.digest), ...chainIds(diffIds)]);
  let unpack: UnpackResult;
  try {
    unpack = await unpackImage(deps, input.layers.map((l, i) => ({ digest: l.digest, diffId: diffIds[i]!, open: l.open, skip: l.skip })), track);
    await input.blobsStored;
  } catch (err) {
    release();
    throw err;
  }
  const layers: LayerRecord[] = [];
  for (let i = 0; i < input.layers.length; i++) {
    const l = input.layers[i]!;
    let diffSize = unpack.sizes[i] ?? l.diffSize;
    if (diffSize === null || diffSize === undefined) {
      const known = index.all().flatMap((r) => r.layers).find((x) => x.diffId === diffIds[i]);
      diffSize = known ? known.diffSize : await plainSize(deps, l.digest).catch(() => 0);
    }
    layers.push({ digest: l.digest, mediaType: l.mediaType, size: l.size, diffId: diffIds[i]!, diffSize });
  }
  return { input, layers, unpack, release };
}

/**
 * Publishes prepared images and their references in one index write (all or nothing).
 * Tags that pointed at other images move; returns, per image, what moved.
 */
export async function publishImages(index: ImageIndex, prepared: readonly PreparedImage[]): Promise<{ id: Digest; moved: { ref: string; oldId: string }[] }[]> {
  const now = isoTime();
  try {
    return await index.update((images) =>
      prepared.map((p) => {
        const id = p.input.config;
        const rec: ImageRecord = images.get(id) ?? { id, layers: p.layers, manifests: [], repoTags: [], repoDigests: [], lastTagTime: '', added: now };
        rec.layers = p.layers;
        if (p.input.parent) rec.parent = p.input.parent;
        for (const m of p.input.manifests ?? []) if (!rec.manifests.some((x) => x.digest === m.digest)) rec.manifests.push(m);
        images.set(id, rec);
        const moved = moveRefs(images, id, p.input.tags ?? [], 'repoTags');
        moveRefs(images, id, p.input.digests ?? [], 'repoDigests');
        if ((p.input.tags ?? []).length) rec.lastTagTime = now;
        return { id, moved };
      }),
    );
  } catch (err) {
    throw EngineError.is(err) ? err : EngineError.wrap('internal', 'failed to register image', err);
  }
}

/**
 * Unpacks an image whose blobs are stored and publishes its record (plus tags) in the
 * index. Crash-safe ordering: blobs -> committed snapshots -> index write.
 * The registry pull calls this once all blobs are fetched.
 */
export async function registerImage(deps: ImageServiceDeps, index: ImageIndex, input: RegisterImageInput): Promise<RegisterImageResult> {
  const p = await prepareImage(deps, index, input);
  try {
    const [r] = await publishImages(index, [p]);
    return { ...r!, unpack: p.unpack };
  } finally {
    p.release();
  }
}

/** Points each reference at image `id`, removing it from any other image; returns what moved. */
export function moveRefs(
  images: Map<string, ImageRecord>,
  id: string,
  refs: readonly string[],
  field: 'repoTags' | 'repoDigests',
): { ref: string; oldId: string }[] {
  const target = images.get(id)!;
  const moved: { ref: string; oldId: string }[] = [];
  for (const ref of refs) {
    for (const other of images.values()) {
      if (other.id === id) continue;
      const i = other[field].indexOf(ref);
      if (i >= 0) {
        other[field].splice(i, 1);
        moved.push({ ref, oldId: other.id });
      }
    }
    if (!target[field].includes(ref)) target[field].push(ref);
  }
  return moved;
}
