import type { ContainerService } from '../containers/container-service.js';
import type { ImageService, ProgressSink } from '../images/image-service.js';
import type { EngineEvent } from '../events/event-types.js';
import type { Filters } from '../shared/filters.js';
import type { ContainerConfig, ContainerUpdateRequest, EndpointSettings, ExecCreateRequest, ExecInspect, ImageDeleteItem, NetworkResource, Volume } from '../api/types.js';
import type { ExecStartResult } from '../containers/container-service.js';
import type { Readable } from 'node:stream';
import type { ContextSyncRequest, ContextSyncResponse } from '../api/context-sync.js';

/** What the image routes call: the image service. */
export type ImageBackend = Pick<
  ImageService,
  'list' | 'inspect' | 'history' | 'tag' | 'remove' | 'load' | 'save' | 'importRootfs' | 'prune'
>;

/** Pulls `image[:tag]` from a registry (wired once the registry client exists). */
export interface ImagePuller {
  pull(ref: { image: string; tag?: string; platform?: string }, opts: { authConfig?: string }, progress: ProgressSink): Promise<void>;
}

/** Pushes `name[:tag]` to its registry (wired once the registry client exists). */
export interface ImagePusher {
  push(ref: { name: string; tag?: string }, opts: { authConfig?: string }, progress: ProgressSink): Promise<void>;
}

/** `POST /auth`: checks credentials against a registry (body is Docker's AuthConfig JSON). */
export interface RegistryAuthBackend {
  login(auth: { username?: string; password?: string; serveraddress?: string; identitytoken?: string; auth?: string }): Promise<{ Status: string; IdentityToken: string }>;
}

/** `GET /images/search`: searches a registry's v1 search endpoint. */
export interface ImageSearcher {
  search(opts: { term: string; limit?: number; filters?: Filters; authConfig?: string }): Promise<{ name: string; description: string; star_count: number; is_official: boolean; is_automated: boolean }[]>;
}

/** Container operations the routes call; pause/unpause/prune are optional until a service offers them. */
export type ContainerBackend = Pick<
  ContainerService,
  'create' | 'start' | 'stop' | 'restart' | 'kill' | 'wait' | 'remove' | 'rename' | 'list' | 'inspect' | 'logs' | 'attach' | 'resize'
> & {
  pause?(idOrName: string): Promise<void>;
  unpause?(idOrName: string): Promise<void>;
  prune?(opts: { filters?: Filters }): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>;
  stats?(idOrName: string, opts: { stream: boolean; oneShot?: boolean; signal?: AbortSignal }): AsyncIterable<object> | Promise<AsyncIterable<object>>;
  top?(idOrName: string, psArgs?: string): Promise<{ Titles: string[]; Processes: string[][] }>;
  execCreate?(idOrName: string, req: ExecCreateRequest): Promise<{ Id: string }>;
  execStart?(execId: string, opts: { detach: boolean; tty?: boolean }): Promise<ExecStartResult>;
  execInspect?(execId: string): Promise<ExecInspect>;
  execResize?(execId: string, height: number, width: number): Promise<void>;
  /** `HEAD/GET/PUT /containers/{id}/archive` and `GET /containers/{id}/changes` (docker cp / diff). */
  archiveStat?(idOrName: string, path: string | undefined): Promise<ArchivePathStat>;
  archiveGet?(idOrName: string, path: string | undefined): Promise<{ stat: ArchivePathStat; tar: Readable }>;
  archivePut?(idOrName: string, path: string | undefined, tar: Readable, opts: { noOverwriteDirNonDir?: boolean; copyUIDGID?: boolean }): Promise<void>;
  changes?(idOrName: string): Promise<{ Path: string; Kind: 0 | 1 | 2 }[]>;
  /** `POST /commit` (docker commit): the new image's ID and the tag it got (familiar, or ''). */
  commit?(idOrName: string, opts: CommitOptions): Promise<{ id: string; imageRef: string }>;
  /** `POST /containers/{id}/update` (docker update): resources and restart policy; dockerd's warnings (null when none). */
  update?(idOrName: string, req: ContainerUpdateRequest): Promise<{ Warnings: string[] | null }>;
  /** `GET /containers/{id}/export`: the flattened root filesystem as a tar. */
  exportContainer?(idOrName: string): Promise<Readable>;
};

/** `POST /commit` query parameters and body, as the routes decode them. */
export interface CommitOptions {
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  /** Default true. */
  pause?: boolean;
  /** `changes` (repeated): Dockerfile lines. */
  changes?: string[];
  /** The body: a container config replacing the container's as the base. */
  config?: ContainerConfig;
}

/** `X-Docker-Container-Path-Stat` (Go FileMode bits in `mode`, RFC3339Nano `mtime`). */
export interface ArchivePathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

/** `/version` and `/info` bodies (Docker's shapes), assembled by the daemon. */
export interface SystemBackend {
  version(): Promise<Record<string, unknown>>;
  info(): Promise<Record<string, unknown>>;
  /** `GET /system/df`. */
  df?(): Promise<Record<string, unknown>>;
}

/** The event bus as `GET /events` sees it. */
export interface EventSource {
  /** Past events (`since`..`until`, when either is set) then live ones; resolves to the unsubscribe function. */
  stream(opts: { since?: number; until?: number }, listener: (e: EngineEvent) => void): Promise<() => void>;
}

/** `/networks/*` (src/network, with connect/disconnect through the container service). */
export interface NetworkBackend {
  list(filters?: Filters): NetworkResource[] | Promise<NetworkResource[]>;
  inspect(ref: string): NetworkResource | Promise<NetworkResource>;
  create(req: Record<string, unknown>): Promise<{ Id: string; Warning: string }>;
  remove(ref: string): Promise<void>;
  connect(ref: string, container: string, endpointConfig: EndpointSettings): Promise<void>;
  disconnect(ref: string, container: string, force: boolean): Promise<void>;
  prune(filters?: Filters): Promise<{ NetworksDeleted: string[] | null }>;
}


/**
 * `/volumes/*` (src/volumes). Prune takes Docker's filters with `all` already decided by the
 * edge (API < 1.42 prunes every unused volume, later versions only anonymous ones).
 */
export interface VolumeBackend {
  list(filters?: Filters): { Volumes: Volume[]; Warnings: null } | Promise<{ Volumes: Volume[]; Warnings: null }>;
  create(req: { Name?: string; Driver?: string; DriverOpts?: Record<string, string> | null; Labels?: Record<string, string> | null }): Volume | Promise<Volume>;
  inspect(name: string): Volume | Promise<Volume>;
  remove(name: string, opts: { force?: boolean }): void | Promise<void>;
  prune(filters?: Filters): { VolumesDeleted: string[] | null; SpaceReclaimed: number } | Promise<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }>;
}

/** Everything the HTTP edge talks to. Built by the daemon's composition root. */
export interface ServerBackends {
  images: ImageBackend;
  containers: ContainerBackend;
  system: SystemBackend;
  events: EventSource;
  puller?: ImagePuller;
  pusher?: ImagePusher;
  auth?: RegistryAuthBackend;
  searcher?: ImageSearcher;
  networks?: NetworkBackend;
  volumes?: VolumeBackend;
  builder?: BuildBackend;
}

export type { ImageDeleteItem };

/** `POST /build` query parameters, decoded by the route. */
export interface BuildRequest {
  tags: string[];
  dockerfile?: string;
  buildArgs: Record<string, string | null>;
  target?: string;
  noCache: boolean;
  pull: boolean;
  labels: Record<string, string>;
  rm: boolean;
  forceRm: boolean;
  quiet: boolean;
  networkMode?: string;
  platform?: string;
  shmSize?: number;
  extraHosts: string[];
  cacheFrom: string[];
  /** berth's `--secret id=x,src=file` (sent as the `secrets` JSON parameter by berth build). */
  secrets: Record<string, string>;
  /** berth's incremental context (`berthcontext`, src/api/context-sync.ts): the body is the delta of this session. */
  contextSession?: string;
}

/** Where a build writes its progress: stream text and aux values (the image ID). */
export interface BuildProgress {
  stream(text: string): void;
  aux(value: Record<string, unknown>): void;
}

/** `POST /build` (the classic builder): the body is the context; resolves with the image ID. */
export interface BuildBackend {
  build(body: AsyncIterable<Buffer>, req: BuildRequest, progress: BuildProgress, signal: AbortSignal): Promise<string>;
  /** `POST /build/prune`: the build cache. */
  prune?(): Promise<{ CachesDeleted: string[] | null; SpaceReclaimed: number }>;
  /** `POST /berth/build/context` (berth's extension): which files of a context manifest to send. */
  syncContext?(req: ContextSyncRequest): Promise<ContextSyncResponse>;
}
