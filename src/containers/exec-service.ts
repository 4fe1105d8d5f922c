import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecCreateRequest, ExecInspect } from '../api/types.js';
import { conflict, EngineError, invalid, notFound } from '../shared/errors.js';
import { ALL_CAPABILITIES } from '../runtime/spec/capabilities.js';
import { newId } from '../shared/ids.js';
import { span } from '../shared/trace-timing.js';
import type { ContainerRecord } from './container-record.js';
import type { ExecStartResult, OutputChunk } from './container-service.js';

export type { ExecStartResult, ExecStream } from './container-service.js';
import type { RuntimeExec } from './ports.js';
import type { ServiceContext } from './service-context.js';

/** One `docker exec` instance (Docker's ExecConfig). */
interface ExecRecord {
  id: string;
  containerId: string;
  req: ExecCreateRequest;
  cmd: string[];
  running: boolean;
  exitCode: number | null;
  pid: number;
  session?: RuntimeExec;
  /** A resize that arrived before the process started (the CLI resizes right after the hijack). */
  pendingSize?: [number, number];
}

/** Docker's exit code for an exec whose process could not be started. */
const EXEC_START_FAILED = 126;

/**
 * `docker exec` over RuntimePort.exec (conmon --exec): create stores the config, start runs the
 * process with the container's own process settings (capabilities, rlimits, env) and the exec's
 * overrides, inspect reports Running/ExitCode/Pid. Records live until their container is removed.
 */
export class ExecManager {
  private readonly execs = new Map<string, ExecRecord>();
  /** Each running container's OCI process from its bundle, read once per start (StartedAt). */
  private readonly baseProcess = new Map<string, { startedAt: string; process: Record<string, unknown> }>();

  constructor(private readonly ctx: ServiceContext) {}

  /** `POST /containers/{id}/exec`. */
  create(ref: string, req: ExecCreateRequest): { Id: string } {
    const rec = this.ctx.get(ref);
    const cmd = typeof req.Cmd === 'string' ? [req.Cmd] : (req.Cmd ?? []);
    if (cmd.length === 0) throw invalid('No exec command specified');
    this.checkRunning(rec);
    this.gc();
    const id = newId();
    this.execs.set(id, { id, containerId: rec.id, req, cmd, running: false, exitCode: null, pid: 0 });
    this.ctx.emit(rec, `exec_create: ${cmd.join(' ')}`, { execID: id });
    return { Id: id };
  }

  /** `GET /exec/{id}/json`. */
  inspect(execId: string): ExecInspect {
    const e = this.get(execId);
    const [entrypoint, ...args] = e.cmd;
    const pc: ExecInspect['ProcessConfig'] = { arguments: args, entrypoint: entrypoint ?? '', privileged: Boolean(e.req.Privileged), tty: Boolean(e.req.Tty) };
    if (e.req.User) pc.user = e.req.User;
    return {
      CanRemove: false,
      ContainerID: e.containerId,
      DetachKeys: e.req.DetachKeys ?? '',
      ExitCode: e.exitCode,
      ID: e.id,
      OpenStderr: Boolean(e.req.AttachStderr),
      OpenStdin: Boolean(e.req.AttachStdin),
      OpenStdout: Boolean(e.req.AttachStdout),
      ProcessConfig: pc,
      Running: e.running,
      Pid: e.pid,
    };
  }

  /** Exec ids of a container that have not exited yet (container inspect's ExecIDs). */
  idsFor(containerId: string): string[] | null {
    const ids = [...this.execs.values()].filter((e) => e.containerId === containerId && e.exitCode === null).map((e) => e.id);
    return ids.length ? ids : null;
  }

  /** Drop an exec's record (health probes: dockerd keeps those out of its exec store too). */
  forget(execId: string): void {
    this.execs.delete(execId);
  }

  /** A removed container's exec records and cached process go with it (nothing kept per removed container). */
  release(containerId: string): void {
    for (const [id, e] of this.execs) if (e.containerId === containerId) this.execs.delete(id);
    this.baseProcess.delete(containerId);
  }

  /** Throws Docker's 404 before a hijack when the exec does not exist. */
  exists(execId: string): void {
    this.get(execId);
  }

  /**
   * `POST /exec/{id}/start`. Detached: returns once the process runs. Attached: returns its
   * stdio; a process that cannot be started yields `error` (exit code 126, like dockerd).
   */
  async start(execId: string, opts: { detach: boolean; tty?: boolean }): Promise<ExecStartResult> {
    const e = this.get(execId);
    if (e.exitCode !== null) throw conflict(`Error: Exec command ${e.id} has already run`);
    if (e.running) throw conflict(`Error: Exec command ${e.id} is already running`);
    const rec = this.ctx.get(e.containerId);
    this.checkRunning(rec);
    e.running = true;
    const tty = opts.tty ?? Boolean(e.req.Tty);
    const stdin = Boolean(e.req.AttachStdin) && !opts.detach;
    const runtime = this.ctx.deps.runtime;
    if (!runtime.exec) throw new EngineError('not-implemented', 'exec is not supported by this runtime');
    let session: RuntimeExec;
    const t = span('exec', e.id);
    try {
      const proc = await this.processSpec(rec, e, tty);
      t.mark('spec');
      session = await runtime.exec({ id: rec.id, execId: e.id, stateDir: this.ctx.paths(rec.id).stateDir, process: proc, terminal: tty, stdin, attach: !opts.detach });
    } catch (err) {
      e.running = false;
      e.exitCode = EXEC_START_FAILED;
      this.ctx.emit(rec, 'exec_die', { execID: e.id, exitCode: String(EXEC_START_FAILED) });
      if (opts.detach) throw err;
      const msg = err instanceof Error ? err.message : String(err);
      return { error: msg.replace(/^OCI runtime exec failed: [\w-]+ exec failed: /, 'OCI runtime exec failed: exec failed: ') };
    }
    t.mark('runtime.exec');
    t.end();
    e.session = session;
    e.pid = session.pid;
    if (e.pendingSize) {
      const [h, w] = e.pendingSize;
      e.pendingSize = undefined;
      try {
        session.resize(h, w);
      } catch {
        // the process may already be gone
      }
    }
    this.ctx.emit(rec, `exec_start: ${e.cmd.join(' ')}`, { execID: e.id });
    const exited = session.exit.then(
      (code) => code,
      () => EXEC_START_FAILED,
    ).then((code) => {
      e.running = false;
      e.exitCode = code;
      e.session = undefined;
      session.cleanup();
      this.ctx.emit(rec, 'exec_die', { execID: e.id, exitCode: String(code) });
    });
    if (opts.detach || !session.io) return {};
    const io = session.io;
    const wantOut = Boolean(e.req.AttachStdout);
    const wantErr = Boolean(e.req.AttachStderr);
    async function* output(): AsyncGenerator<OutputChunk> {
      for await (const c of io.output) {
        if (c.stream === 'stdout' ? wantOut : wantErr) yield { stream: c.stream, data: c.data, time: '' };
      }
      await exited;
    }
    return { stream: { tty, output: output(), stdin: io.stdin, detach: () => io.close() } };
  }

  /** `POST /exec/{id}/resize`. */
  resize(execId: string, height: number, width: number): void {
    const e = this.get(execId);
    if (e.session) e.session.resize(height, width);
    else if (e.exitCode === null) e.pendingSize = [height, width];
  }

  private get(execId: string): ExecRecord {
    const e = this.execs.get(execId);
    if (!e || !this.ctx.records.has(e.containerId)) throw notFound(`No such exec instance: ${execId}`);
    return e;
  }

  private checkRunning(rec: ContainerRecord): void {
    const s = rec.state.status;
    if (s === 'paused') throw conflict(`Container ${rec.id} is paused, unpause the container before exec`);
    if (s === 'restarting') throw conflict(`Container ${rec.id} is restarting, wait until the container is running`);
    if (s !== 'running') throw conflict(`Container ${rec.id} is not running`);
  }

  /** Forget execs of removed containers. */
  private gc(): void {
    for (const [id, e] of this.execs) if (!this.ctx.records.has(e.containerId)) this.execs.delete(id);
    for (const id of this.baseProcess.keys()) if (!this.ctx.records.has(id)) this.baseProcess.delete(id);
  }

  /** The `process` of the container's config.json (the bundle is rewritten at every start). */
  private async containerProcess(rec: ContainerRecord): Promise<Record<string, unknown>> {
    const cached = this.baseProcess.get(rec.id);
    if (cached && cached.startedAt === rec.state.startedAt) return cached.process;
    const spec = JSON.parse(await readFile(join(this.ctx.paths(rec.id).bundle, 'config.json'), 'utf8')) as { process?: Record<string, unknown> };
    const process = spec.process ?? {};
    this.baseProcess.set(rec.id, { startedAt: rec.state.startedAt, process });
    return process;
  }

  /** The container's OCI process with the exec's args, env, cwd, user and terminal. */
  private async processSpec(rec: ContainerRecord, e: ExecRecord, tty: boolean): Promise<Record<string, unknown>> {
    const p = this.ctx.paths(rec.id);
    const base = await this.containerProcess(rec);
    const env = mergeEnv(tty ? ['TERM=xterm'] : [], (base.env as string[] | undefined) ?? [], e.req.Env ?? []);
    const proc: Record<string, unknown> = { ...base, args: e.cmd, env, terminal: tty };
    delete proc.consoleSize;
    const size = e.req.ConsoleSize;
    if (tty && size && size[0] > 0 && size[1] > 0) proc.consoleSize = { height: size[0], width: size[1] };
    if (e.req.WorkingDir) proc.cwd = e.req.WorkingDir;
    if (e.req.User) {
      const u = await this.ctx.deps.spec.resolveUser(p.rootfs, e.req.User, rec.hostConfig.GroupAdd ?? []);
      proc.user = { uid: u.uid, gid: u.gid, additionalGids: u.additionalGids };
    }
    if (e.req.Privileged) {
      // dockerd gives a privileged exec every capability; berth, every one the host's bounding set has
      const host = { ...(await this.ctx.deps.spec.host?.({}).catch(() => undefined)), ...this.ctx.deps.hostInfo };
      const caps = ALL_CAPABILITIES.filter((c) => !host.capabilities || host.capabilities.includes(c));
      proc.capabilities = { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] };
    }
    return proc;
  }
}

/** Later lists replace earlier values of the same key (Docker's ReplaceOrAppendEnvValues). */
function mergeEnv(...lists: string[][]): string[] {
  const out = new Map<string, string>();
  for (const list of lists) {
    for (const kv of list) {
      const i = kv.indexOf('=');
      out.set(i < 0 ? kv : kv.slice(0, i), kv);
    }
  }
  return [...out.values()];
}
