import type { ContainerCreateRequest, ContainerCreateResponse, ContainerInspect, ContainerUpdateRequest, EndpointSettings, ExecCreateRequest, ExecInspect, ContainerSummary, ContainerWaitResponse } from '../api/types.js';
import { EngineError, invalid, notFound } from '../shared/errors.js';
import type { Filters } from '../shared/filters.js';
import { createAttachSession, type PendingAttach } from './attach-session.js';
import type { AttachSession, ContainerService, LogsOptions, OutputBatch, OutputChunk, WaitCondition } from './container-service.js';
import type { ContainerRecord } from './container-record.js';
import { createContainer } from './create.js';
import { ExecManager, type ExecStartResult } from './exec-service.js';
import { containerTop, type TopResult } from './top.js';
import { archiveGet, archivePut, archiveStat, containerChanges, type ContainerChange, type PathStat, type PutArchiveOptions } from './archive-service.js';
import type { Readable } from 'node:stream';
import { commitContainer, commitLayer, type CommitLayerInput, type CommitOptions, type CommitResult } from './commit.js';
import type { CommitImageResult } from '../images/commit-image.js';
import { exportContainer } from './export.js';
import { emptyStats, sampleStats, type StatsSample } from './stats.js';
import { mountPointViews } from './volume-mounts.js';
import { dirSize } from './dir-size.js';
import { parseDetachKeys } from './detach-keys.js';
import type { AfterExit } from './exit-handler.js';
import type { RuntimeAttach } from './ports.js';
import { selectContainers } from './list-filters.js';
import { removeContainer, renameContainer } from './remove.js';
import { HealthMonitor, execProbeRunner } from './health/index.js';
import { hostInfo, updateContainer, updateHostFacts } from './update.js';
import { checkUpdate } from './update-config.js';
import { trimStamp } from './status-text.js';
import { restoreAll } from './restore.js';
import { ServiceContext, type ContainerServiceDeps } from './service-context.js';
import { startContainer } from './start.js';
import { checkTransition, isActive, type Operation } from './status-machine.js';
import { killContainer, pauseContainer, stopContainer, unpauseContainer } from './stop.js';
import { toInspect, toSummary } from './views.js';
import { connectNetwork, disconnectNetwork } from './network-connect.js';
import { networkKind } from './merge-config.js';
import type { ContainerNetworkView } from '../network/index.js';

/**
 * The containers service over an OCI runtime + conmon, overlay snapshots and the image store.
 * Mutating operations take a per-container lock and check the status transition table first;
 * list/inspect/logs read the in-memory records and never wait.
 *
 * @example
 *   const svc = new LocalContainerService(deps); await svc.restore();
 *   const { Id } = await svc.create({ Image: 'busybox', Cmd: ['echo', 'hi'] }, {});
 *   await svc.start(Id); const { StatusCode } = await svc.wait(Id, 'not-running');
 */
export class LocalContainerService implements ContainerService {
  readonly ctx: ServiceContext;
  private readonly after: AfterExit;
  private readonly execs: ExecManager;
  private readonly health: HealthMonitor;

  constructor(deps: ContainerServiceDeps) {
    this.ctx = new ServiceContext(deps);
    this.execs = new ExecManager(this.ctx);
    this.health = new HealthMonitor(this.ctx, execProbeRunner(this.execs, () => trimStamp(this.ctx.clock.stamp())));
    this.ctx.healthWatch = (rec, run) => this.health.watch(rec, run);
    this.after = {
      autoRemove: (id) => this.autoRemove(id),
      restart: (id) => this.policyRestart(id),
    };
  }

  /** Run `fn` under the container's lock after checking `op` against its current status. */
  private async locked<T>(ref: string, op: Operation | null, fn: (rec: ContainerRecord) => Promise<T>): Promise<T> {
    const id = this.ctx.get(ref).id;
    return this.ctx.locks.run(id, async () => {
      const rec = this.ctx.records.get(id);
      if (!rec) throw new EngineError('not-found', `No such container: ${ref}`);
      if (op) checkTransition(op, rec.state.status, this.ctx.subject(rec, ref));
      return fn(rec);
    });
  }

  create(req: ContainerCreateRequest, opts: { name?: string; platform?: string }): Promise<ContainerCreateResponse> {
    return createContainer(this.ctx, req, opts);
  }

  async start(idOrName: string): Promise<void> {
    let failed: ContainerRecord | undefined;
    try {
      await this.locked(idOrName, 'start', async (rec) => {
        this.ctx.backoff.delete(rec.id);
        rec.state.restartCount = 0;
        try {
          await startContainer(this.ctx, rec, this.after);
        } catch (err) {
          failed = rec;
          throw err;
        }
      });
    } catch (err) {
      // Like dockerd: an auto-remove container whose start failed is removed (`docker run --rm` waits for that).
      if (failed?.hostConfig.AutoRemove) await this.autoRemove(failed.id).catch(() => {});
      throw err;
    }
  }

  async stop(idOrName: string, opts: { timeout?: number; signal?: string }): Promise<void> {
    await this.locked(idOrName, 'stop', async (rec) => {
      await stopContainer(this.ctx, rec, opts);
      this.ctx.emit(rec, 'stop');
    });
  }

  async restart(idOrName: string, opts: { timeout?: number; signal?: string }): Promise<void> {
    await this.locked(idOrName, 'restart', async (rec) => {
      if (isActive(rec.state.status)) {
        await stopContainer(this.ctx, rec, opts);
        this.ctx.emit(rec, 'stop');
      }
      this.ctx.backoff.delete(rec.id);
      rec.state.restartCount = 0;
      await startContainer(this.ctx, rec, this.after);
      this.ctx.emit(rec, 'restart');
    });
  }

  async kill(idOrName: string, signal?: string): Promise<void> {
    await this.locked(idOrName, 'kill', (rec) => killContainer(this.ctx, rec, signal));
  }

  /** `docker pause` (extension of ContainerService). */
  async pause(idOrName: string): Promise<void> {
    await this.locked(idOrName, 'pause', async (rec) => {
      this.health.suspend(rec);
      await pauseContainer(this.ctx, rec);
    });
  }

  /** `docker unpause` (extension of ContainerService). */
  async unpause(idOrName: string): Promise<void> {
    await this.locked(idOrName, 'unpause', async (rec) => {
      await unpauseContainer(this.ctx, rec);
      this.health.resume(rec);
    });
  }

  async wait(idOrName: string, condition: WaitCondition, signal?: AbortSignal): Promise<ContainerWaitResponse> {
    const rec = this.ctx.get(idOrName);
    if (condition === 'not-running' && !isActive(rec.state.status)) return { StatusCode: rec.state.exitCode };
    return this.ctx.waiters.add(rec.id, condition, signal);
  }

  async remove(idOrName: string, opts: { force?: boolean; volumes?: boolean; link?: boolean }): Promise<void> {
    if (opts.link) return this.removeLink(idOrName);
    await this.locked(idOrName, opts.force ? 'force-remove' : 'remove', async (rec) => {
      await removeContainer(this.ctx, rec, Boolean(opts.force), Boolean(opts.volumes));
      this.execs.release(rec.id);
    });
  }

  /** `docker rm --link /parent/alias`: the parent forgets that link (its record; a running parent keeps its hosts entry). */
  private async removeLink(linkName: string): Promise<void> {
    const full = linkName.startsWith('/') ? linkName : `/${linkName}`;
    const i = full.lastIndexOf('/');
    const parentName = full.slice(0, i);
    if (!parentName) throw invalid('Conflict, cannot remove the default link name of the container');
    const parent = this.ctx.get(parentName);
    const alias = full.slice(i + 1);
    await this.ctx.locks.run(parent.id, async () => {
      const links = parent.hostConfig.Links ?? [];
      const kept = links.filter((l) => l.split(':')[1] !== `${parent.name}/${alias}`);
      if (kept.length === links.length) throw notFound(`Could not find container for entity id ${full}`);
      parent.hostConfig = { ...parent.hostConfig, Links: kept.length ? kept : null };
      await this.ctx.save(parent);
    });
  }

  async rename(idOrName: string, newName: string): Promise<void> {
    if (!idOrName || !newName) throw invalid('Neither old nor new names may be empty');
    await this.locked(idOrName, 'rename', async (rec) => {
      const oldName = rec.name;
      await renameContainer(this.ctx, rec, newName);
      this.ctx.emit(rec, 'rename', { oldName });
      this.ctx.deps.network?.rename(rec.id, rec.name.slice(1));
    });
  }

  /**
   * `POST /containers/{id}/update` (extension of ContainerService): resources and restart
   * policy, applied to the running container and kept for the next start. See update.ts.
   */
  async update(idOrName: string, req: ContainerUpdateRequest): Promise<{ Warnings: string[] | null }> {
    this.ctx.get(idOrName);
    const checked = checkUpdate(req, updateHostFacts(await hostInfo(this.ctx, {})));
    await this.locked(idOrName, null, (rec) => updateContainer(this.ctx, rec, checked.req));
    return { Warnings: checked.warnings.length ? checked.warnings : null };
  }

  /** `POST /networks/{id}/connect`: recorded for the next start; live when the container runs. */
  async connectNetwork(idOrName: string, network: string, config: EndpointSettings): Promise<void> {
    await connectNetwork(this.ctx, idOrName, network, config);
  }

  /** `POST /networks/{id}/disconnect`. */
  async disconnectNetwork(idOrName: string, network: string, force: boolean): Promise<void> {
    await disconnectNetwork(this.ctx, idOrName, network, force);
  }

  private networkView(rec: ContainerRecord): ContainerNetworkView | undefined {
    if (networkKind(rec.hostConfig.NetworkMode).kind !== 'network') return undefined;
    return this.ctx.deps.network?.view(rec.id, rec.networking, rec.config.ExposedPorts);
  }

  async list(opts: { all?: boolean; limit?: number; size?: boolean; filters?: Filters }): Promise<ContainerSummary[]> {
    const now = this.ctx.clock.now();
    const recs = selectContainers([...this.ctx.records.values()], opts, (ref) => this.ctx.get(ref));
    const out = recs.map((r) => toSummary(r, now, mountPointViews(r), this.networkView(r)));
    if (opts.size) {
      for (const s of out) {
        const rec = this.ctx.records.get(s.Id);
        if (rec) Object.assign(s, await this.sizes(rec));
      }
    }
    return out;
  }

  /** SizeRw = bytes in the container's upper dir; SizeRootFs adds the image layers when the image port knows them. */
  private async sizes(rec: ContainerRecord): Promise<{ SizeRw: number; SizeRootFs: number }> {
    const graph = await this.ctx.deps.snapshots.graphData(rec.snapshotKey).catch(() => ({}) as Record<string, string>);
    const rw = graph.UpperDir ? await dirSize(graph.UpperDir) : 0;
    const imageSize = (await this.ctx.deps.imageSize?.(rec.image.id).catch(() => 0)) ?? 0;
    return { SizeRw: rw, SizeRootFs: rw + imageSize };
  }

  async inspect(idOrName: string, opts?: { size?: boolean }): Promise<ContainerInspect> {
    const rec = this.ctx.get(idOrName);
    let graph: Record<string, string> = {};
    try {
      graph = await this.ctx.deps.snapshots.graphData(rec.snapshotKey, this.ctx.paths(rec.id).rootfs);
    } catch (err) {
      this.ctx.log.debug('no graph data', { id: rec.id, err });
    }
    const view = toInspect(rec, graph, mountPointViews(rec), this.networkView(rec));
    view.ExecIDs = this.execs.idsFor(rec.id);
    return opts?.size ? { ...view, ...(await this.sizes(rec)) } : view;
  }

  async logs(idOrName: string, opts: LogsOptions): Promise<{ tty: boolean; batches: AsyncIterable<OutputBatch> }> {
    const rec = this.ctx.get(idOrName);
    const stdout = opts.stdout ?? false;
    const stderr = opts.stderr ?? false;
    if (!stdout && !stderr) throw invalid('Bad parameters: you must choose at least one stream');
    const run = this.ctx.runs.get(rec.id);
    const follow = Boolean(opts.follow) && run !== undefined && isActive(rec.state.status);
    const source = this.ctx.deps.runtime.readLog(rec.logPath, {
      follow,
      stdout,
      stderr,
      since: opts.since,
      until: opts.until,
      tail: opts.tail === 'all' || opts.tail === undefined || opts.tail < 0 ? undefined : opts.tail,
      timestamps: opts.timestamps,
      stop: follow ? run?.stopLogs.signal : undefined,
    });
    return { tty: Boolean(rec.config.Tty), batches: source };
  }

  async attach(
    idOrName: string,
    opts: { stdin?: boolean; stdout?: boolean; stderr?: boolean; logs?: boolean; stream?: boolean; detachKeys?: string },
  ): Promise<AttachSession> {
    const ctx = this.ctx;
    const rec = ctx.get(idOrName);
    checkTransition('attach', rec.state.status, ctx.subject(rec, idOrName));
    ctx.emit(rec, 'attach');
    const stdin = Boolean(opts.stdin) && Boolean(rec.config.OpenStdin);
    const detachKeys = parseDetachKeys(opts.detachKeys);
    const p = ctx.paths(rec.id);
    const status = rec.state.status;
    const connection =
      !opts.stream
        ? ({ kind: 'none' } as const)
        : status === 'running'
          ? attachNow(() => ctx.deps.runtime.attach(p.stateDir, { stdin }))
          : ({
              kind: 'pending',
              register: (pa: PendingAttach) => {
                const set = ctx.pendingAttach.get(rec.id) ?? new Set();
                set.add(pa);
                ctx.pendingAttach.set(rec.id, set);
                return () => set.delete(pa);
              },
            } as const);
    const replay = opts.logs ? () => flatten(ctx.deps.runtime.readLog(rec.logPath, { follow: false })) : undefined;
    return createAttachSession({
      tty: Boolean(rec.config.Tty),
      stdin,
      stdout: Boolean(opts.stdout),
      stderr: Boolean(opts.stderr),
      stream: Boolean(opts.stream),
      replay,
      detachKeys,
      connection,
      now: () => ctx.clock.stamp(),
    });
  }

  async resize(idOrName: string, height: number, width: number): Promise<void> {
    const rec = this.ctx.get(idOrName);
    checkTransition('resize', rec.state.status, this.ctx.subject(rec, idOrName));
    await this.ctx.deps.runtime.resize(this.ctx.paths(rec.id).stateDir, height, width);
  }

  /** `GET /containers/{id}/top` (extension of ContainerService). */
  async top(idOrName: string, psArgs?: string): Promise<TopResult> {
    return containerTop(this.ctx.get(idOrName), psArgs);
  }

  /**
   * `GET /containers/{id}/stats`: one sample (with precpu from a sample 1 s earlier unless
   * oneShot) or, when streaming, one per second until the container stops or `signal` aborts.
   */
  async *stats(idOrName: string, opts: { stream: boolean; oneShot?: boolean; signal?: AbortSignal }): AsyncGenerator<StatsSample> {
    const rec = this.ctx.get(idOrName);
    const running = (): boolean => rec.state.status === 'running' || rec.state.status === 'paused';
    if (!running()) {
      yield emptyStats(rec);
      return;
    }
    const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 1000).unref());
    let prev: StatsSample | undefined = opts.stream || opts.oneShot ? undefined : await sampleStats(rec);
    if (prev) await tick();
    do {
      const s = await sampleStats(rec, prev);
      yield s;
      prev = s;
      if (!opts.stream) return;
      await tick();
    } while (running() && !opts.signal?.aborted);
  }

  /** `HEAD /containers/{id}/archive` (extension of ContainerService). */
  archiveStat(idOrName: string, path: string | undefined): Promise<PathStat> {
    return archiveStat(this.ctx, idOrName, path);
  }

  /** `GET /containers/{id}/archive`: path stat + tar stream (extension of ContainerService). */
  archiveGet(idOrName: string, path: string | undefined): Promise<{ stat: PathStat; tar: Readable }> {
    return archiveGet(this.ctx, idOrName, path);
  }

  /** `PUT /containers/{id}/archive` (extension of ContainerService). */
  archivePut(idOrName: string, path: string | undefined, tar: Readable, opts: PutArchiveOptions): Promise<void> {
    return archivePut(this.ctx, idOrName, path, tar, opts);
  }

  /** `GET /containers/{id}/changes` (extension of ContainerService). */
  changes(idOrName: string): Promise<ContainerChange[]> {
    return containerChanges(this.ctx, idOrName);
  }

  /** `POST /commit`: the container's changes as a new image (extension of ContainerService). */
  commit(idOrName: string, opts: CommitOptions): Promise<CommitResult> {
    return commitContainer(this.ctx, idOrName, opts);
  }

  /**
   * The container's changes as one layer on its image with exactly `input.config` as the
   * new image's config (a build step's commit; no `--change`, no merge). See commit.ts.
   */
  commitLayer(idOrName: string, input: CommitLayerInput): Promise<CommitImageResult> {
    return commitLayer(this.ctx, idOrName, input);
  }

  /** `GET /containers/{id}/export`: the flattened rootfs as a tar (extension of ContainerService). */
  exportContainer(idOrName: string): Promise<Readable> {
    return exportContainer(this.ctx, idOrName);
  }

  /** `POST /containers/{id}/exec` (extension of ContainerService). */
  async execCreate(idOrName: string, req: ExecCreateRequest): Promise<{ Id: string }> {
    return this.execs.create(idOrName, req);
  }

  /** `POST /exec/{id}/start`: stdio when attached, or the start error text. */
  execStart(execId: string, opts: { detach: boolean; tty?: boolean }): Promise<ExecStartResult> {
    return this.execs.start(execId, opts);
  }

  /** `GET /exec/{id}/json`. */
  async execInspect(execId: string): Promise<ExecInspect> {
    return this.execs.inspect(execId);
  }

  /** `POST /exec/{id}/resize`. */
  async execResize(execId: string, height: number, width: number): Promise<void> {
    this.execs.resize(execId, height, width);
  }

  usersOfImage(imageId: string): { containerId: string; running: boolean }[] {
    return [...this.ctx.records.values()]
      .filter((r) => r.image.id === imageId)
      .map((r) => ({ containerId: r.id, running: isActive(r.state.status) }));
  }

  async restore(): Promise<void> {
    const toStart = await restoreAll(this.ctx, { ...this.after, remove: (id) => this.remove(id, { force: true }) });
    const running = new Set([...this.ctx.records.values()].filter((r) => isActive(r.state.status)).map((r) => r.id));
    await this.ctx.deps.network?.reconcile(running).catch((err: unknown) => this.ctx.log.error('failed to reconcile networks', { err }));
    await Promise.allSettled(
      toStart.map(async (id) => {
        try {
          await this.start(id);
        } catch (err) {
          this.ctx.log.warn('failed to start container on boot', { id, err });
        }
      }),
    );
  }

  /** Stop watching exits and cancel restart timers (daemon shutdown; containers keep running). */
  close(): void {
    this.health.close();
    for (const run of this.ctx.runs.values()) run.cancelWatch();
    for (const t of this.ctx.restartTimers.values()) clearTimeout(t);
    this.ctx.restartTimers.clear();
  }

  private async autoRemove(id: string): Promise<void> {
    if (!this.ctx.records.has(id)) return;
    await this.ctx.locks.run(id, async () => {
      const rec = this.ctx.records.get(id);
      if (!rec || isActive(rec.state.status) || rec.state.status === 'removing') return;
      // like dockerd's --rm: anonymous volumes go with the container
      await removeContainer(this.ctx, rec, false, true);
      this.execs.release(rec.id);
    });
  }

  private async policyRestart(id: string): Promise<void> {
    await this.ctx.locks.run(id, async () => {
      const rec = this.ctx.records.get(id);
      if (!rec || rec.state.status !== 'restarting') return;
      const exitCode = rec.state.exitCode;
      try {
        await startContainer(this.ctx, rec, this.after);
      } catch (err) {
        // Like dockerd: a restart that cannot start leaves the container stopped with its last exit code.
        this.ctx.log.warn('restart policy start failed', { id, err });
        rec.state.exitCode = exitCode;
        await this.ctx.save(rec).catch(() => {});
      }
    });
  }
}

/**
 * Connect to a running container's monitor; when its socket is already gone the container is
 * exiting (the exit is not processed yet), so the session just ends like an attach to a stopped one.
 */
function attachNow(connect: () => RuntimeAttach): { kind: 'now'; conn: RuntimeAttach } | { kind: 'none' } {
  try {
    return { kind: 'now', conn: connect() };
  } catch {
    return { kind: 'none' };
  }
}

async function* flatten<T>(batches: AsyncIterable<Iterable<T>>): AsyncGenerator<T> {
  for await (const b of batches) yield* b;
}
