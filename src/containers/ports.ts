import type { Writable } from 'node:stream';
import type { ContainerConfig, EndpointSettings, HostConfig } from '../api/types.js';
import type { ContainerNetworkView, SandboxInfo, SandboxSpec } from '../network/index.js';
import type { ResolvedImage } from '../images/image-service.js';
import type { CommitImageInput, CommitImageResult } from '../images/commit-image.js';
import type { Mount } from '../mount/types.js';
import type { OciLinuxResources, OciSpec } from '../runtime/spec/oci-types.js';
import type { HostInfo, SpecInput } from '../runtime/spec/spec-input.js';
import type { OutputBatch } from './container-service.js';

/**
 * The narrow interfaces the containers service consumes (STYLE habit 7). The daemon wires
 * the real modules in via createContainerService(); tests pass fakes.
 */

export interface ImagePort {
  /** Throws EngineError('not-found', 'No such image: x'). */
  resolve(ref: string): Promise<ResolvedImage>;
  /** A new image: the parent plus one layer tar (docker commit); see images/commit-image.ts. */
  commit?(input: CommitImageInput): Promise<CommitImageResult>;
}

export interface SnapshotPort {
  prepare(key: string, parent: string | null): Promise<Mount[]>;
  mounts(key: string): Promise<Mount[]>;
  remove(key: string): Promise<void>;
  graphData(key: string, mergedDir?: string): Promise<Record<string, string>>;
}

export interface MountPort {
  mountAll(mounts: Mount[], target: string): void;
  unmount(target: string): void;
  /** unmount() without blocking the event loop (unmounting syncs the filesystem); optional for fakes. */
  unmountAsync?(target: string): Promise<void>;
}

export interface SpecPort {
  /** Throws `unable to find user x: no matching entries in passwd file`. */
  resolveUser(rootfs: string, user: string, groupAdd: readonly string[]): Promise<{ uid: number; gid: number; additionalGids: number[] }>;
  build(input: SpecInput): OciSpec;
  /**
   * Create-time checks of HostConfig (resources, security options, capabilities, device
   * rules) with dockerd's wording; returns dockerd's warnings. Mounts are checked by volume-mounts.ts.
   */
  validate(hostConfig: HostConfig, config?: ContainerConfig): string[] | void;
  /** RLIMIT_NOFILE of the daemon (containers never ask above the hard limit). */
  rlimitNofile(): Promise<{ soft: number; hard: number } | undefined>;
  /**
   * Host facts for one start: the daemon's bounding capabilities, kernel, cgroup files, and
   * the host devices the container asks for (every one when privileged). Throws dockerd's
   * `error gathering device information ...` for a `--device` that is not one.
   */
  host?(hostConfig: HostConfig): Promise<HostInfo>;
}

/** Output of a runtime attach connection. */
export interface RuntimeAttach {
  output: AsyncIterable<{ stream: 'stdout' | 'stderr'; data: Buffer }>;
  stdin?: Writable;
  close(): void;
}

export interface LaunchRequest {
  id: string;
  bundleDir: string;
  stateDir: string;
  logPath: string;
  terminal: boolean;
  stdin: boolean;
  stdinOnce: boolean;
}

/** `exec` request: run `process` (an OCI process object) in the running container `id`. */
export interface ExecRequest {
  id: string;
  execId: string;
  stateDir: string;
  process: Record<string, unknown>;
  terminal: boolean;
  stdin: boolean;
  /** Connect stdio before the process starts (false for detached execs). */
  attach: boolean;
}

/** A started exec: pid, stdio (when attached), exit code, tty resize, file cleanup. */
export interface RuntimeExec {
  pid: number;
  io?: RuntimeAttach;
  exit: Promise<number>;
  resize(height: number, width: number): void;
  cleanup(): void;
}

/**
 * The OCI runtime under a per-container monitor (conmon). Lifecycle per run:
 * launch() (runtime create; init waits) -> attach()* -> start() -> watchExit() fires once ->
 * delete(). Errors from launch/start may carry `exitCode` (126/127) like RuntimeStartError.
 */
export interface RuntimePort {
  readonly name: string;
  launch(req: LaunchRequest): Promise<{ conmonPid: number; pid: number }>;
  start(id: string): Promise<void>;
  kill(id: string, signal: string): Promise<void>;
  delete(id: string): Promise<void>;
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** Exit code conmon recorded, or undefined while running / unknown; `oom` when OOM-killed. */
  readExit(stateDir: string, id: string): Promise<{ code: number; finishedAt?: Date; oom?: boolean } | undefined>;
  /** Calls `onExit` once when the container's exit is recorded; returns a cancel function. */
  watchExit(stateDir: string, id: string, onExit: () => void): () => void;
  /** Monitor process alive? */
  isAlive(pid: number): boolean;
  attach(stateDir: string, opts: { stdin: boolean }): RuntimeAttach;
  /**
   * Reuse a seccomp filter the runtime compiled before (see runtime/seccomp-bpf-cache.ts): adds
   * it to the spec when known, else returns a key for seccompLearn() after launch. Optional.
   */
  seccompAnnotate?(spec: OciSpec): string | undefined;
  seccompLearn?(key: string | undefined, id: string): Promise<void>;
  /** Run a process in the running container (`docker exec`); optional for fakes. Errors may carry `exitCode`. */
  exec?(req: ExecRequest): Promise<RuntimeExec>;
  resize(stateDir: string, height: number, width: number): Promise<void>;
  /** Apply new cgroup limits (OCI LinuxResources) to a running container (`docker update`); optional for fakes. */
  update?(id: string, resources: OciLinuxResources): Promise<void>;
  /**
   * Log records from the k8s-file log (and its rotated files), in batches; with `follow`,
   * keeps reading until `stop` aborts (the service aborts it when the container exits).
   * `time` is filled only with `timestamps`.
   */
  /**
   * Keep the log bounded while the container's monitor runs (until `stop` aborts): rotate
   * at `maxSize` bytes, keep `maxFiles` files (see runtime/log-rotation). Optional for fakes.
   */
  rotateLogs?(req: { logPath: string; stateDir: string; maxSize: number; maxFiles: number; compress: boolean; stop: AbortSignal; onError?: (err: unknown) => void }): void;
  readLog(logPath: string, opts: { follow: boolean; stdout?: boolean; stderr?: boolean; since?: number; until?: number; tail?: number; timestamps?: boolean; stop?: AbortSignal }): AsyncIterable<OutputBatch>;
}

/** Things about the host the service needs (resolv.conf source, default hostname files). */
export interface HostPort {
  readHostResolvConf(): string;
}

/**
 * The network module as containers use it (src/network/NetworkService). Lifecycle per run:
 * attach() before the runtime creates the container -> detach() when it exits (or the start
 * fails); connect()/disconnect() change a running container live; view() feeds inspect/ps.
 */
export interface NetworkPort {
  /** Create-time checks (networks exist, --ip/--alias allowed there), Docker's errors. */
  check(spec: Pick<SandboxSpec, 'networks'>): void;
  attach(spec: SandboxSpec): Promise<SandboxInfo>;
  detach(containerId: string): Promise<void>;
  /** Validates a connect; returns the network's name and id. */
  checkConnect(containerId: string, name: string, ref: string, config: EndpointSettings, connected: string[]): { name: string; id: string };
  connect(containerId: string, spec: SandboxSpec, ref: string, config: EndpointSettings): Promise<void>;
  disconnect(containerId: string, ref: string): Promise<void>;
  find(ref: string): { name: string; id: string };
  view(containerId: string, requested: Record<string, EndpointSettings>, exposed: Record<string, object> | null | undefined): ContainerNetworkView;
  addressOf(containerId: string): string | undefined;
  rename(containerId: string, name: string): void;
  /** Boot: tear down what belongs to containers that no longer run; rules from the records. */
  reconcile(running: Set<string>): Promise<void>;
}

/** A volume held by a container: its name, driver and data directory on the host. */
export interface VolumeRef {
  name: string;
  driver: string;
  mountpoint: string;
}

/**
 * The volumes module as containers use it (src/volumes/VolumeService). Lifecycle per
 * container: acquire() each volume at create (a missing one is created; the container now
 * refers to it) -> populate() at create (copy-up of the image's content into an empty
 * volume) -> mount() at every start, unmount() at every exit -> release() at removal, then
 * remove() of its anonymous volumes with `rm -v` (refused with a conflict while another
 * container uses one). restore() hands over every container's volumes at boot.
 */
export interface VolumePort {
  /** '' = a new anonymous volume. `mustExist` (--volumes-from): a missing volume is an error. */
  acquire(name: string, containerId: string, opts?: { driver?: string; driverOpts?: Record<string, string>; labels?: Record<string, string>; mustExist?: boolean }): Promise<VolumeRef>;
  /** Copy the directory `source` (resolved inside the rootfs) into the volume when the volume is empty. */
  populate(name: string, source: string): Promise<void>;
  /** Start: the data path to bind-mount (a device volume is mounted on first use). */
  mount(name: string, containerId: string, info: { destination: string; rw: boolean; propagation: string }): Promise<string>;
  /** Exit: a no-op when this container has not mounted it. */
  unmount(name: string, containerId: string): Promise<void>;
  release(name: string, containerId: string): void;
  /** Throws EngineError('conflict') while a container uses it. */
  remove(name: string): Promise<void>;
  restore(users: { containerId: string; volumes: string[]; running: boolean }[]): void;
}
