import type { Readable } from 'node:stream';
import type { ContainerConfig } from '../api/types.js';
import { sha256, type Digest } from '../shared/digest.js';
import { EngineError, notFound } from '../shared/errors.js';
import type { ImageServiceDeps } from './deps.js';
import type { ImageIndex } from './image-index.js';
import { diffIdsOf, goArch, parseImageConfig, type HistoryEntry, type ImageConfigJSON } from './image-config.js';
import { registerImage } from './register-image.js';
import { EMPTY_LAYER_DIFF_ID, storeLayer } from './store-layer.js';
import { chainIds } from './unpack.js';
import { isoTime } from '../shared/iso-time.js';

export { EMPTY_LAYER_DIFF_ID };

const LAYER_MEDIA_TYPE = 'application/vnd.docker.image.rootfs.diff.tar';

/**
 * A new image made of a parent image plus one layer (`docker commit`, a build step).
 * The layer is a plain tar in Docker's layer format (whiteouts as `.wh.` entries).
 */
export interface CommitImageInput {
  /** The layer tar; omitted for a metadata-only step (history `empty_layer`). */
  layer?: Readable;
  /** Image ID the layer goes on; null for a first layer (`FROM scratch`). */
  parent: string | null;
  /** The new image's `config` (Cmd, Env, ...). */
  config: ContainerConfig;
  /** `container_config` and `container` as docker commit writes them. */
  containerConfig?: ContainerConfig;
  containerId?: string;
  author?: string;
  comment?: string;
  /** History `created_by` (docker commit: the container's Cmd joined by spaces). */
  createdBy: string;
  /** Fully qualified tags to point at the new image. */
  tags?: string[];
  /** Top-level `docker_version`. */
  dockerVersion?: string;
  /**
   * The new history entry exactly as given (its `created` is the image's too), instead of
   * one made now from author/createdBy/comment: a build step restored from a `--cache-from`
   * image keeps that image's entry, so later steps still find their place in its history.
   */
  history?: HistoryEntry;
  /**
   * Reuse a layer already in the store (by DiffID) instead of `layer`: the `--cache-from`
   * image's layer for that step (its snapshot is there; nothing is read or written).
   */
  layerDiffId?: Digest;
}

export interface CommitImageResult {
  id: Digest;
  /** True when the layer was empty (or absent) and no layer was added. */
  emptyLayer: boolean;
}

/** Docker's order of container config fields; the always-present ones are filled in. */
const CONFIG_FIELDS: [keyof ContainerConfig, unknown][] = [
  ['Hostname', ''], ['Domainname', ''], ['User', ''], ['AttachStdin', false], ['AttachStdout', false], ['AttachStderr', false],
  ['ExposedPorts', undefined], ['Tty', false], ['OpenStdin', false], ['StdinOnce', false], ['Env', null], ['Cmd', null],
  ['Healthcheck', undefined], ['ArgsEscaped', undefined], ['Image', ''], ['Volumes', null], ['WorkingDir', ''], ['Entrypoint', null],
  ['NetworkDisabled', undefined], ['MacAddress', undefined], ['OnBuild', null], ['Labels', null], ['StopSignal', undefined],
  ['StopTimeout', undefined], ['Shell', undefined],
];

/** A container config with Docker's field order (as in image configs Docker writes). */
export function dockerConfigShape(cfg: ContainerConfig): ContainerConfig {
  const out: Record<string, unknown> = {};
  for (const [k, dflt] of CONFIG_FIELDS) {
    const v = cfg[k];
    if (v !== undefined && v !== null && !(k === 'NetworkDisabled' && v === false) && !(k === 'MacAddress' && v === '') && !(k === 'StopSignal' && v === '')) out[k] = v;
    else if (dflt !== undefined) out[k] = v === null ? null : dflt;
  }
  return out as ContainerConfig;
}

/** JSON with the top-level keys sorted, as Docker marshals image configs. */
function encodeConfig(img: ImageConfigJSON): Buffer {
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(img).sort()) if (img[k] !== undefined) sorted[k] = img[k];
  return Buffer.from(JSON.stringify(sorted));
}

/**
 * Makes an image from a parent image and one layer tar, through the same path as pulls and
 * imports: the tar is ingested into the content store (uncompressed: its digest is the
 * DiffID), the image config is written (parent's rootfs and history plus one entry), and
 * registerImage() unpacks the layer onto the parent's chain as a committed snapshot before
 * the image (and its tags) become visible. An empty layer adds a history entry marked
 * `empty_layer` and no layer, as dockerd does.
 *
 * @example
 *   const { id } = await commitImage(deps, index, { layer: tar, parent: 'sha256:...', config, createdBy: 'sh -c echo hi' });
 */
export async function commitImage(deps: ImageServiceDeps, index: ImageIndex, input: CommitImageInput): Promise<CommitImageResult> {
  const parentRec = input.parent ? index.get(input.parent) : undefined;
  if (input.parent && !parentRec) throw notFound(`No such image: ${input.parent}`);
  const parentCfg: ImageConfigJSON | undefined = parentRec ? parseImageConfig(await deps.content.readBuffer(parentRec.id)) : undefined;
  const releaseParent = index.leases.acquire(parentRec ? [parentRec.id, ...parentRec.layers.map((l) => l.digest)] : []);
  let stored: { diffId: Digest; size: number; contentSize?: number } | undefined;
  let reused: { digest: Digest; mediaType: string; size: number; diffSize: number } | undefined;
  let releaseLayer = (): void => undefined;
  try {
    if (input.layerDiffId) {
      const known = index.all().flatMap((r) => r.layers).find((l) => l.diffId === input.layerDiffId);
      if (!known) throw notFound(`layer ${input.layerDiffId} is not in the store`);
      reused = { digest: known.digest as Digest, mediaType: known.mediaType, size: known.size, diffSize: known.diffSize };
      stored = { diffId: input.layerDiffId, size: known.size, contentSize: known.diffSize };
      releaseLayer = index.leases.acquire([known.digest]);
    } else if (input.layer) {
      // unpacked while it is stored: registering the image then finds the layer's snapshot made
      const parentChain = parentCfg ? (chainIds(diffIdsOf(parentCfg)).at(-1) ?? null) : null;
      stored = await storeLayer(deps, input.layer, parentChain);
      releaseLayer = index.leases.acquire([stored.diffId, parentChain === null ? stored.diffId : sha256(`${parentChain} ${stored.diffId}`)]);
    }
    const emptyLayer = !stored || stored.diffId === EMPTY_LAYER_DIFF_ID;
    const entry: HistoryEntry = input.history ? { ...input.history } : { created: isoTime() };
    const created = entry.created ?? isoTime();
    if (!input.history) {
      if (input.author) entry.author = input.author;
      if (input.createdBy) entry.created_by = input.createdBy;
      if (input.comment) entry.comment = input.comment;
      if (emptyLayer) entry.empty_layer = true;
    }
    const diffIds = [...(parentCfg ? diffIdsOf(parentCfg) : []), ...(emptyLayer ? [] : [stored!.diffId])];
    const img: ImageConfigJSON = {
      architecture: parentCfg?.architecture ?? goArch(),
      ...(parentCfg?.variant ? { variant: parentCfg.variant } : {}),
      ...(input.author ? { author: input.author } : {}),
      config: dockerConfigShape(input.config),
      ...(input.containerId ? { container: input.containerId } : {}),
      ...(input.containerConfig ? { container_config: dockerConfigShape(input.containerConfig) } : {}),
      created,
      ...(input.dockerVersion ? { docker_version: input.dockerVersion } : {}),
      history: [...(parentCfg?.history ?? []), entry],
      os: parentCfg?.os ?? 'linux',
      ...(parentCfg?.['os.version'] ? { 'os.version': parentCfg['os.version'] } : {}),
      rootfs: { type: 'layers', diff_ids: diffIds },
    };
    const configDigest = await deps.content.put(encodeConfig(img));
    const layers = [
      ...(parentRec?.layers ?? []).map((l) => ({ digest: l.digest, mediaType: l.mediaType, size: l.size })),
      ...(emptyLayer ? [] : [reused ?? { digest: stored!.diffId, mediaType: LAYER_MEDIA_TYPE, size: stored!.size, diffSize: stored!.contentSize }]),
    ];
    const { id } = await registerImage(deps, index, { config: configDigest, layers, tags: input.tags ?? [], parent: parentRec?.id });
    return { id, emptyLayer };
  } finally {
    releaseLayer();
    releaseParent();
    if (stored?.diffId === EMPTY_LAYER_DIFF_ID) await dropUnused(deps, index, stored.diffId);
  }
}

/** An empty layer blob nothing uses (no image lists it, no operation leases it) is deleted. */
async function dropUnused(deps: ImageServiceDeps, index: ImageIndex, digest: Digest): Promise<void> {
  if (index.leases.has(digest) || index.all().some((r) => r.layers.some((l) => l.digest === digest))) return;
  await deps.content.delete(digest).catch(() => undefined);
}
