import type { Readable } from 'node:stream';
import type { Filters } from '../shared/filters.js';
import type { ContainerConfig, ImageDeleteItem, ImageHistoryItem, ImageInspect, ImageSummary, JSONMessage } from '../api/types.js';

/** Receives progress messages (JSON stream of load/import/pull/push). */
export type ProgressSink = (msg: JSONMessage) => void;

/** What a container needs from its image. */
export interface ResolvedImage {
  /** Image ID: the config digest, `sha256:...`. */
  id: string;
  /** The name the user gave, normalized (e.g. `busybox:latest`). */
  reference: string;
  config: ContainerConfig;
  /** ChainID of the top layer (the snapshot to prepare a container on); null for an image with no layers. */
  topChainId: string | null;
  os: string;
  architecture: string;
}

/**
 * The local image service: content store + image index + snapshots behind one façade.
 * Lifecycle: images enter by load/import/pull (layers are verified, ingested and
 * unpacked into committed snapshots before the reference becomes visible), are named by
 * tag, used by containers via resolve(), and leave by remove()/prune.
 * All methods throw EngineError with Docker's wording, e.g. `No such image: foo:latest`.
 */
export interface ImageService {
  list(opts: { all?: boolean; filters?: Filters; digests?: boolean }): Promise<ImageSummary[]>;
  inspect(ref: string): Promise<ImageInspect>;
  resolve(ref: string): Promise<ResolvedImage>;
  history(ref: string): Promise<ImageHistoryItem[]>;
  /** `docker tag SOURCE REPO[:TAG]` */
  tag(source: string, repo: string, tag?: string): Promise<void>;
  /** `docker rmi`; refuses with a conflict while a container uses the image unless force. */
  remove(ref: string, opts: { force?: boolean; noprune?: boolean }): Promise<ImageDeleteItem[]>;
  /** docker-archive or OCI-layout tar. Emits `{stream:"Loaded image: busybox:latest\n"}` messages. */
  load(tar: Readable, progress: ProgressSink): Promise<void>;
  /** docker-archive tar of the named images (with OCI index.json/oci-layout too, as Docker 25+ does). */
  save(refs: string[]): Promise<Readable>;
  /** A rootfs tar (plain or compressed) becomes a one-layer image. Returns the image id. */
  importRootfs(
    src: Readable,
    opts: { repo?: string; tag?: string; changes?: string[]; message?: string; platform?: string },
    progress: ProgressSink,
  ): Promise<string>;
  prune(opts: { filters?: Filters }): Promise<{ ImagesDeleted: ImageDeleteItem[] | null; SpaceReclaimed: number }>;
}

/** Injected by the daemon so images can refuse to remove what containers use. */
export type ImageUsage = (imageId: string) => { containerId: string; running: boolean } | undefined;
