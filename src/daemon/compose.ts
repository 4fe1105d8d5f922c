import { join } from 'node:path';
import type { Server } from 'node:http';
import type { DaemonConfig } from './config.js';
import type { Logger } from '../shared/logger.js';
import type { BuildBackend, ContainerBackend, ImageBackend, ImagePuller, ImagePusher, ImageSearcher, NetworkBackend, RegistryAuthBackend, ServerBackends, VolumeBackend } from '../server/backends.js';
import { createEngineServer } from '../server/engine-server.js';
import { EventBus } from '../events/event-bus.js';
import { EventStore } from '../events/event-store.js';
import type { WhiteoutFormat } from '../archive/index.js';
import { createSystemBackend } from './system-info.js';
import { findBinary, findInit } from './host-binaries.js';
import { deferred, lazy } from './deferred.js';
import { sweepBuildLeftovers } from './build-sweep.js';
import { systemDf, type VolumeUsage } from './system-df.js';
import { openNetworks } from './networks.js';

type RegistryClient = typeof import('../registry/client/index.js');

/** The assembled daemon: backends for the API and boot-time work. */
export interface Composition {
  backends: ServerBackends;
  events: EventBus;
  /** A new Engine API server over the shared backends (one per `-H` address). */
  createServer(): Server;
  /**
   * Resolves when the services are built and booted (ingest cleanup, container restore).
   * API calls that need a service wait for this; `/_ping` and `/version` do not.
   */
  ready: Promise<void>;
  /** Waits for the services' pending writes; call after the API servers stopped. */
  close(): Promise<void>;
}

interface Services {
  images: ImageBackend;
  containers: ContainerBackend;
  networks: NetworkBackend;
  volumes: VolumeBackend & VolumeUsage;
  puller: ImagePuller;
  pusher: ImagePusher;
  builder: BuildBackend;
  /** Puts what is still in flight on disk (the network records) before the daemon exits. */
  close(): Promise<void>;
}

/**
 * Builds the content store, snapshotter, image service, runtime and container service.
 * Modules are imported here, in parallel, so berthd can listen before they load.
 */
async function buildServices(config: DaemonConfig, logger: Logger, warnings: string[], events: EventBus, registry: () => Promise<RegistryClient>): Promise<Services> {
  const [{ ContentStore }, { OverlaySnapshotter }, { applyLayer, decompress }, { LocalImageService }, { createContainerService }, { OciRuntime }, pub, { withContainerPrune }, { VolumeService }] =
    await Promise.all([
      import('../content/index.js'),
      import('../snapshots/index.js'),
      import('../archive/index.js'),
      import('../images/index.js'),
      import('../containers/index.js'),
      import('../runtime/index.js'),
      import('./event-publishing.js'),
      import('./container-prune.js'),
      import('../volumes/index.js'),
    ]);
  const network = await openNetworks(config, logger, events);
  const { dataRoot, execRoot } = config;
  const volumes = await VolumeService.open({ root: join(dataRoot, 'volumes'), publish: (e) => events.publish(e), logger: logger.child({ module: 'volumes' }) });
  const content = new ContentStore(join(dataRoot, 'content'));
  const snapshotter = new OverlaySnapshotter(join(dataRoot, 'snapshots', 'overlay'));
  const archive = {
    decompress,
    applyLayer: (tar: Parameters<typeof applyLayer>[0], dir: string, o: { whiteoutFormat: string; sync?: boolean; digest?: boolean; donor?: string }) =>
      applyLayer(tar, dir, { ...o, whiteoutFormat: o.whiteoutFormat as WhiteoutFormat }),
  };

  const rtName = config.defaultRuntime;
  const rtPath = findBinary(config.runtimes[rtName].path);
  if (!rtPath) warnings.push(`WARNING: OCI runtime ${rtName} (${config.runtimes[rtName].path}) not found; containers cannot start`);
  const runtime = new OciRuntime({ name: rtName, path: rtPath ?? config.runtimes[rtName].path, root: join(execRoot, 'runtime', rtName) });

  // images ask containers "who uses this image", containers resolve images: late-bound.
  let usersOfImage: (id: string) => { containerId: string; running: boolean }[] = () => [];
  const localImages = await LocalImageService.open({
    root: join(dataRoot, 'images'),
    content,
    snapshotter,
    archive,
    usage: (id) => {
      const users = usersOfImage(id);
      return users.find((u) => u.running) ?? users[0];
    },
  });
  const localContainers = createContainerService({
    dataRoot,
    execRoot,
    images: localImages,
    snapshots: snapshotter,
    runtime,
    conmonPath: findBinary('conmon'),
    initPath: findInit(),
    logConfig: config.logConfig,
    network,
    volumes,
    logger: logger.child({ module: 'containers' }),
    publish: (e) => events.publish(e),
  });
  usersOfImage = (id) => localContainers.usersOfImage(id);

  const removed = await content.cleanupIngests();
  if (removed > 0) logger.info('removed unfinished content ingests', { count: removed });
  await localContainers.restore();
  // an unpack killed mid-layer leaves its extract-* snapshot (and chains no image got to use)
  const gc = await localImages.collectGarbage().catch((err: unknown) => {
    logger.warn('failed to collect leftover layer snapshots', { err });
    return { snapshots: [] };
  });
  if (gc.snapshots.length > 0) logger.info('removed leftover layer snapshots', { count: gc.snapshots.length });
  await sweepBuildLeftovers(localContainers, logger, dataRoot).catch((err: unknown) => logger.warn('failed to sweep build containers', { err }));
  // The registry client and the builder are loaded by their first use (pull/push, build):
  // many daemons never need them, and they are a fifth of berthd's code.
  const regDeps = lazy(async () => ({
    content,
    images: localImages,
    state: await (await registry()).ClientState.open(join(dataRoot, 'registry-client')),
    insecureRegistries: config.insecureRegistries,
  }));
  const puller = lazy(async () => new (await registry()).RegistryPuller(await regDeps()));
  const pusher = lazy(async () => new (await registry()).RegistryPusher(await regDeps()));
  const buildBackend = lazy(async () => {
    const b = await import('./build-backend.js');
    return b.createBuildBackend(dataRoot, b.buildPorts(localImages, localContainers, { pull: async (...a) => (await puller()).pull(...a) }));
  });
  const builder: BuildBackend = {
    build: async (...a) => (await buildBackend()).build(...a),
    prune: async () => (await (await buildBackend()).prune?.()) ?? { CachesDeleted: null, SpaceReclaimed: 0 },
    syncContext: async (req) => (await buildBackend()).syncContext!(req),
  };
  // dockerd: the actor is the familiar reference (`busybox:latest`), the name its repository.
  const imageEvent = (action: string, ref: string): void => {
    events.publish({ Type: 'image', Action: action, Actor: { ID: pub.familiar(ref), Attributes: { name: pub.familiarRepo(ref) } } });
  };
  return {
    images: pub.publishingImages(localImages, events),
    containers: withContainerPrune(pub.publishingContainers(localContainers, events), (e) => events.publish(e)),
    networks: {
      list: (f) => network.list(f),
      inspect: (ref) => network.inspect(ref),
      create: (req) => network.create(req),
      remove: (ref) => network.remove(ref),
      prune: (f) => network.prune(f),
      connect: (ref, container, cfg) => localContainers.connectNetwork(container, ref, cfg),
      disconnect: (ref, container, force) => localContainers.disconnectNetwork(container, ref, force),
    },
    volumes,
    builder,
    close: () => network.close(),
    puller: {
      pull: async (target, opts, progress) => {
        await (await puller()).pull(target, opts, progress);
        imageEvent('pull', target.tag ? `${target.image}${target.tag.includes(':') ? '@' : ':'}${target.tag}` : target.image);
      },
    },
    pusher: {
      push: async (target, opts, progress) => {
        await (await pusher()).push(target, opts, progress);
        imageEvent('push', target.tag ? `${target.name}:${target.tag}` : target.name);
      },
    },
  };
}

/** The event bus over the daemon's on-disk event log (memory only, with a warning, when it cannot be opened). */
function openEvents(config: DaemonConfig, logger: Logger): EventBus {
  const log = logger.child({ module: 'events' });
  try {
    const store = EventStore.open(join(config.dataRoot, 'events'), { maxBytes: config.eventsMaxSize });
    return new EventBus(Date.now, store, (err) => log.warn('failed to store event', { err }));
  } catch (err) {
    log.error('failed to open the event log; events are kept in memory only', { err });
    return new EventBus();
  }
}

/**
 * The composition root: the only place that knows every module. Returns at once with
 * backends that wait for the services, so the socket can be served immediately.
 * `warnings` collects notes shown by `docker info`.
 */
export function compose(config: DaemonConfig, logger: Logger, warnings: string[]): Composition {
  const events = openEvents(config, logger);
  const registry = lazy(() => import('../registry/client/index.js'));
  const services = buildServices(config, logger, warnings, events, registry);
  let booted: Services | undefined;
  services.then((s) => (booted = s), () => {});
  const images = deferred<ImageBackend>(services.then((s) => s.images));
  const containers = deferred<ContainerBackend>(services.then((s) => s.containers));
  const networks = deferred<NetworkBackend>(services.then((s) => s.networks));
  const volumes = deferred<VolumeBackend & VolumeUsage>(services.then((s) => s.volumes));
  const system = createSystemBackend({ config, containers, images, warnings });
  const puller: ImagePuller = { pull: async (...a) => (await services).puller.pull(...a) };
  const pusher: ImagePusher = { push: async (...a) => (await services).pusher.push(...a) };
  const auth: RegistryAuthBackend = { login: async (a) => (await registry()).checkLogin(a, config.insecureRegistries) };
  const searcher: ImageSearcher = {
    search: async ({ authConfig, ...o }) => {
      const r = await registry();
      return r.searchImages({ ...o, auth: r.decodeAuthHeader(authConfig) }, config.insecureRegistries);
    },
  };
  const builder: BuildBackend = {
    build: async (...a) => (await services).builder.build(...a),
    prune: async () => (await (await services).builder.prune?.()) ?? { CachesDeleted: null, SpaceReclaimed: 0 },
    syncContext: async (req) => (await services).builder.syncContext!(req),
  };
  system.df = () => systemDf(images, containers, volumes);
  const backends: ServerBackends = { images, containers, system, events, puller, pusher, auth, searcher, networks, volumes, builder };
  return {
    backends,
    events,
    createServer: () => createEngineServer({ backends, logger: logger.child({ module: 'api' }) }),
    ready: services.then(() => undefined),
    // A daemon stopped mid-boot has nothing of the services' in flight to wait for.
    close: () => (booted ? booted.close() : Promise.resolve()),
  };
}
