import type { ContainerService } from '../containers/container-service.js';
import type { ImageService, ProgressSink } from '../images/image-service.js';
import type { EngineEvent } from '../events/event-types.js';
import type { Filters } from '../shared/filters.js';
import type { ImageDeleteItem } from '../api/types.js';

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
};

/** `/version` and `/info` bodies (Docker's shapes), assembled by the daemon. */
export interface SystemBackend {
  version(): Promise<Record<string, unknown>>;
  info(): Promise<Record<string, unknown>>;
}

/** The event bus as `GET /events` sees it. */
export interface EventSource {
  replay(since?: number, until?: number): EngineEvent[];
  subscribe(listener: (e: EngineEvent) => void): () => void;
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
}

export type { ImageDeleteItem };
