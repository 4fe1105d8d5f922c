import type { HostInfo } from '../runtime/spec/spec-input.js';
import { notFound } from '../shared/errors.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import { systemClock, type Clock } from './clock.js';
import { RecordStore, type ContainerPaths, type ContainerRecord } from './container-record.js';
import { KeyedLock } from '../shared/keyed-lock.js';
import { NameIndex } from './name-index.js';
import type { PendingAttach } from './attach-session.js';
import type { ImagePort, MountPort, NetworkPort, RuntimePort, SnapshotPort, SpecPort, VolumePort } from './ports.js';
import type { Subject } from './status-machine.js';
import { Waiters } from './waiters.js';

/** Everything the containers service is built from. */
export interface ContainerServiceDeps {
  dataRoot: string;
  execRoot: string;
  images: ImagePort;
  snapshots: SnapshotPort;
  mounts: MountPort;
  spec: SpecPort;
  runtime: RuntimePort;
  /** Bridge and user networks; without it such containers run with loopback only (unit tests). */
  network?: NetworkPort;
  /** Named and anonymous volumes; without it only binds and tmpfs mounts work (unit tests). */
  volumes?: VolumePort;
  /** Host /etc/resolv.conf and /etc/hosts contents (for host networking); default reads the files. */
  hostFiles?: () => { resolvConf: string; hosts: string; hostname: string };
  clock?: Clock;
  logger?: Logger;
  /** Parent for cgroupsPath (`<parent>/<id>`), default 'berth'. */
  cgroupParent?: string;
  hostInfo?: HostInfo;
  /** Static init binary for --init (tini/catatonit). */
  initPath?: string;
  /** Total size of an image's layers (for SizeRootFs); optional. */
  imageSize?: (imageId: string) => Promise<number>;
  /** The daemon's `log-driver` and `log-opts` (daemon.json / --log-opt): defaults for containers of that driver. */
  logConfig?: { Type: string; Config?: Record<string, string> };
  /** Restart backoff start (Docker: 100 ms). */
  restartBaseDelayMs?: number;
  /**
   * Publishes the events the API layer cannot see: `die` (every exit, with exitCode), `oom`,
   * `start` for restart-policy/boot starts, `destroy` for auto-remove. Shape = events' EventInput.
   */
  publish?: (e: ContainerEvent) => void;
}

/** A Docker container event (structurally the events module's EventInput). */
export interface ContainerEvent {
  Type: 'container';
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
}

/** One run of a container process: from start until its exit has been processed. */
export class RunHandle {
  readonly exited: Promise<void>;
  private resolveExited!: () => void;
  readonly started: Promise<void>;
  markStarted!: () => void;
  /** Aborted when the container exits: ends followed logs. */
  readonly stopLogs = new AbortController();
  /** Set by stop/kill/rm -f: the exit is wanted, so no restart policy and no auto-remove race. */
  stopping = false;
  /** rm -f is removing it: the exit handler must not auto-remove. */
  removing = false;
  finished = false;
  cancelWatch: () => void = () => {};
  readonly startedAtMs: number;

  constructor(now: number) {
    this.startedAtMs = now;
    this.exited = new Promise((r) => {
      this.resolveExited = r;
    });
    this.started = new Promise((r) => {
      this.markStarted = r;
    });
  }

  finish(): void {
    this.finished = true;
    this.markStarted();
    this.cancelWatch();
    this.stopLogs.abort();
    this.resolveExited();
  }
}

/** Shared state of the service; operations are functions over it. */
export class ServiceContext {
  readonly records = new Map<string, ContainerRecord>();
  readonly names = new NameIndex();
  readonly locks = new KeyedLock();
  readonly waiters = new Waiters();
  readonly runs = new Map<string, RunHandle>();
  readonly pendingAttach = new Map<string, Set<PendingAttach>>();
  readonly restartTimers = new Map<string, NodeJS.Timeout>();
  /** Consecutive-restart backoff per container (ms). */
  readonly backoff = new Map<string, number>();
  /** Called when a run has started or been re-adopted: the health monitor (src/containers/health) probes it. */
  healthWatch?: (rec: ContainerRecord, run: RunHandle) => void;
  /** Runtime-state deletions still running after an exit (see exit-handler.ts). */
  readonly runtimeCleanups = new Map<string, Promise<void>>();
  /** Rootfs/shm unmounts in flight (removal waits for them before deleting files). */
  readonly unmounts = new Map<string, Promise<void>>();
  /** Network sandbox releases in flight (the exit path waits for them). */
  readonly networkReleases = new Map<string, Promise<void>>();
  /** Containers whose run resources were released since their last start (a removal need not release them again). */
  readonly released = new Set<string>();
  /** File deletions of auto-removed containers still running (see remove.ts). */
  readonly fileRemovals = new Set<Promise<void>>();
  readonly store: RecordStore;
  readonly clock: Clock;
  readonly log: Logger;

  constructor(readonly deps: ContainerServiceDeps) {
    this.store = new RecordStore(deps.dataRoot, deps.execRoot);
    this.clock = deps.clock ?? systemClock;
    this.log = deps.logger ?? silentLogger;
  }

  /** The record for a reference; throws `No such container: x`. */
  get(ref: string): ContainerRecord {
    const id = this.names.lookup(ref);
    const rec = this.records.get(id);
    if (!rec) throw notFound(`No such container: ${ref}`);
    return rec;
  }

  paths(id: string): ContainerPaths {
    return this.store.paths(id);
  }

  subject(rec: ContainerRecord, ref: string): Subject {
    return { ref, id: rec.id, name: rec.name };
  }

  /** Publish a container event (labels, image, name + extra attributes, like Docker). */
  emit(rec: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    const attrs = { ...(rec.config.Labels ?? {}), image: rec.config.Image ?? rec.image.name, name: rec.name.slice(1), ...extra };
    try {
      this.deps.publish?.({ Type: 'container', Action: action, Actor: { ID: rec.id, Attributes: attrs } });
    } catch (err) {
      this.log.warn('failed to publish event', { action, err });
    }
  }

  /** Record writes in flight (what a clean stop, or a test's cleanup, waits for). */
  readonly saving = new Set<Promise<void>>();

  async save(rec: ContainerRecord): Promise<void> {
    if (!this.records.has(rec.id)) return;
    const write = this.store.write(rec);
    this.saving.add(write);
    try {
      await write;
    } finally {
      this.saving.delete(write);
    }
  }
}
