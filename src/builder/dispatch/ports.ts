import type { Readable } from 'node:stream';
import type { ContainerConfig } from '../../api/types.js';

/**
 * What the builder needs from the engine's services, declared here (STYLE habit 7) and wired
 * in by src/daemon: images are resolved, committed and tagged through the image service,
 * step containers are ordinary containers made and run by the container service.
 *
 * @example
 *   const id = await ports.containers.create({ image, config, name: 'berth-build-...' });
 *   const code = await ports.containers.run(id, (b) => out.stream(b.toString()));
 */
export interface BuildPorts {
  images: BuildImages;
  containers: BuildContainers;
}

/** An image as a build step sees it. */
export interface BuildImage {
  id: string;
  config: ContainerConfig;
  os: string;
  architecture: string;
}

export interface BuildImages {
  /** The local image `ref` names, or undefined when there is none. */
  find(ref: string): Promise<BuildImage | undefined>;
  /** Pulls `ref` from its registry (FROM of an image not present, or `pull=1`). */
  pull(ref: string, platform?: string): Promise<void>;
  /**
   * A new image on `parent`: with `layer` (a layer tar in Docker's format) one layer more,
   * without it a metadata-only step (history `empty_layer`).
   */
  commit(input: { parent: string | null; config: ContainerConfig; containerConfig?: ContainerConfig; createdBy: string; layer?: Readable }): Promise<string>;
  /**
   * What the image's filesystem holds at each absolute path (not following symlinks, the last
   * component included); paths absent from the image are left out of the answer. Optional: a
   * builder without it copies through a step container.
   */
  statPaths?(image: string, paths: string[]): Promise<Map<string, PathStat>>;
  /** Points `ref` at the image; returns the familiar form (`app:latest`). */
  tag(id: string, ref: string): Promise<string>;
  /** True while the image is still in the store (cache entries may outlive their images). */
  exists(id: string): Promise<boolean>;
  /**
   * An image's history chain, for `--cache-from`: undefined when there is no such image.
   * Optional: a builder without it ignores `cachefrom`.
   */
  chainOf?(ref: string): Promise<ImageChain | undefined>;
  /**
   * A new image on `parent` made of one step of a `--cache-from` image: its history entry
   * as it is, and its layer (by DiffID, already stored) unless the entry is empty.
   */
  restore?(input: { parent: string | null; config: ContainerConfig; history: HistoryStep; layerDiffId?: string }): Promise<string>;
}

/** One entry of an image's history, as its config stores it. */
export interface HistoryStep {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** What `--cache-from` compares: an image's history and layers, and the parent it was made from. */
export interface ImageChain {
  id: string;
  parent?: string;
  history: HistoryStep[];
  diffIds: string[];
}

/** One path of an image's filesystem (see BuildImages.statPaths). */
export interface PathStat {
  type: 'dir' | 'file' | 'symlink' | 'other';
  mode: number;
  uid: number;
  gid: number;
  mtimeMs: number;
}

/** A mount added to a RUN container (`--mount` of RUN, a secret). */
export interface BuildMount {
  type: 'bind' | 'tmpfs';
  source?: string;
  target: string;
  readOnly?: boolean;
}

/** One entry a COPY/ADD writes into the step container, with its final owner and mode. */
export interface CopyEntry {
  /** Absolute path in the container. */
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'archive';
  /** Where the bytes are on the host (`archive`: a tar to extract at `path`). */
  hostPath?: string;
  /** Files: the bytes (from the build context) and their count. */
  open?: () => AsyncIterable<Buffer>;
  size?: number;
  /** The bytes, for inline (heredoc) files. */
  content?: Buffer;
  mode: number;
  uid: number;
  gid: number;
  linkname?: string;
  mtime?: number;
}

export interface CopyFromImage {
  image: string;
  /** Absolute paths in the source image. */
  sources: string[];
  /** Absolute destination. */
  dest: string;
  /** The destination is a directory (ends in `/`, or several sources). */
  destIsDir: boolean;
  owner?: { uid: number; gid: number };
  chmod?: number;
  /** Name and labels for the short-lived source container. */
  name: string;
  labels: Record<string, string>;
}

/** What a step container is made from. */
export interface StepContainerSpec {
  image: string;
  config: ContainerConfig;
  /** Recognizable name (`berth-build-<build>-<step>`). */
  name: string;
  labels: Record<string, string>;
  networkMode?: string;
  mounts?: BuildMount[];
  extraHosts?: string[];
  shmSize?: number;
}

export interface BuildContainers {
  create(spec: StepContainerSpec): Promise<string>;
  /** Starts the container, streams its output to `onOutput`, resolves with the exit code. */
  run(id: string, onOutput: (data: Buffer) => void, signal?: AbortSignal): Promise<number>;
  /** Writes entries into the (stopped) container's filesystem, parents created as root 0755. */
  copyInto(id: string, entries: CopyEntry[]): Promise<void>;
  /**
   * Copies `path` of an image into `hostDir` on the host (for `RUN --mount=type=bind,from=`):
   * extracted safely, never followed out of `hostDir`. Returns the host path of `path`.
   */
  exportPath(image: string, path: string, hostDir: string, container: { name: string; labels: Record<string, string> }): Promise<string>;
  /** A file of the container's filesystem (`/etc/passwd` for `--chown=name`), undefined when absent. */
  readFile(id: string, path: string): Promise<Buffer | undefined>;
  /** Creates a directory (and its parents) unless it exists: WORKDIR. */
  mkdir(id: string, path: string, owner?: { uid: number; gid: number }): Promise<void>;
  /**
   * COPY --from: copies paths of another image into the container with COPY's rules (a
   * directory's contents, a file to `dest` or into it), through a container of that image.
   */
  copyFromImage(id: string, req: CopyFromImage): Promise<void>;
  /** One new layer from the container's changes on its image. */
  commit(id: string, input: { config: ContainerConfig; containerConfig?: ContainerConfig; createdBy: string; mountStubs?: string[] }): Promise<string>;
  remove(id: string): Promise<void>;
}

/** What the build writes to its client: stream text, the image ID, or a failure. */
export interface BuildOutput {
  stream(text: string): void;
  aux(value: Record<string, unknown>): void;
}
