import { closeSync, constants as fsc, existsSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineError } from '../shared/errors.js';
import { runChild } from './spawn.js';

export type RuntimeStatus = 'creating' | 'created' | 'running' | 'stopped' | 'paused';

/** What `<runtime> state <id>` reports (subset of the OCI state). */
export interface RuntimeState {
  status: RuntimeStatus;
  /** Host pid of the container's init; 0 once stopped. */
  pid: number;
  bundle?: string;
}

export interface OciRuntimeOptions {
  /** 'crun' | 'runc' | any name (used in messages and `docker info`). */
  name: string;
  /** Absolute path of the runtime binary. */
  path: string;
  /** State directory passed as `--root` (exec-root/runtime/<name>). */
  root: string;
}

const NOT_FOUND = /does not exist|not found|no such file|container .* does not exist|ENOENT/i;

/**
 * Thin driver over an OCI runtime CLI (crun/runc). Each call is a short-lived child process
 * (spawn.ts); containers are not children of berthd (conmon runs `create`, see conmon-monitor.ts).
 *
 * @example
 *   const rt = new OciRuntime({ name: 'crun', path: '/usr/bin/crun', root: '/run/berth/runtime/crun' });
 *   await rt.start(id); await rt.kill(id, 'SIGTERM'); await rt.delete(id, { force: true });
 */
export class OciRuntime {
  readonly name: string;
  readonly path: string;
  readonly root: string;

  constructor(opts: OciRuntimeOptions) {
    this.name = opts.name;
    this.path = opts.path;
    this.root = opts.root;
  }

  /** Global args for every call (also handed to conmon as --runtime-arg). */
  globalArgs(): string[] {
    return ['--root', this.root];
  }

  /**
   * Run the user process of a created container. For crun this is what `crun start` does
   * itself, without spawning it: a created container's init blocks reading `<root>/<id>/exec.fifo`;
   * start opens it for writing (non-blocking: no reader means the init is gone), unlinks it (the
   * state then reads `running`) and writes one byte. crun has no poststart hooks to run here
   * (berth's specs carry none). Anything unexpected goes through `<runtime> start` for its error.
   */
  async start(id: string): Promise<void> {
    if (this.fifoStart && startThroughFifo(join(this.root, id, 'exec.fifo'))) return;
    await this.run('start', ['start', id]);
  }

  /** crun's exec.fifo protocol (runc's runs the other way: its init writes, start reads). */
  private get fifoStart(): boolean {
    return this.name === 'crun';
  }

  /** Send a signal ('SIGTERM', 'TERM', 'KILL', 9 ...); `all` signals every process of the container. */
  async kill(id: string, signal: string | number, all = false): Promise<void> {
    const sig = typeof signal === 'number' ? String(signal) : signal.toUpperCase().replace(/^SIG/, '');
    await this.run('kill', ['kill', ...(all ? ['--all'] : []), id, sig]);
  }

  /** Remove the runtime's state for the container; `force` kills it first if running. No error if unknown. */
  async delete(id: string, opts: { force?: boolean } = {}): Promise<void> {
    // crun and runc keep a container's state in <root>/<id>: no state, nothing to delete,
    // and no runtime process to spawn (this sits on the run/exit/rm hot path).
    if (!existsSync(join(this.root, id))) return;
    try {
      await this.run('delete', ['delete', ...(opts.force ? ['--force'] : []), id]);
    } catch (err) {
      if (EngineError.is(err, 'not-found')) return;
      throw err;
    }
  }

  /** Current state, or undefined when the runtime does not know the container. */
  async state(id: string): Promise<RuntimeState | undefined> {
    let out: string;
    try {
      out = await this.run('get state of', ['state', id]);
    } catch (err) {
      if (EngineError.is(err, 'not-found')) return undefined;
      throw err;
    }
    const s = JSON.parse(out) as { status: RuntimeStatus; pid?: number; bundle?: string };
    return { status: s.status, pid: s.pid ?? 0, bundle: s.bundle };
  }

  async pause(id: string): Promise<void> {
    await this.run('pause', ['pause', id]);
  }

  async resume(id: string): Promise<void> {
    await this.run('resume', ['resume', id]);
  }

  /**
   * Change the cgroup limits of a running container (`<runtime> update --resources FILE`):
   * `resources` is an OCI LinuxResources object; what it leaves out is not touched.
   */
  async update(id: string, resources: object): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'berth-update-'));
    try {
      const file = join(dir, 'resources.json');
      await writeFile(file, JSON.stringify(resources));
      await this.run('update', ['update', '--resources', file, id]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** Host pids of the container's processes. */
  async ps(id: string): Promise<number[]> {
    const out = await this.run('list processes of', ['ps', '--format', 'json', id]);
    const pids = JSON.parse(out || '[]') as number[] | null;
    return pids ?? [];
  }

  /** Runtime version line, e.g. "crun version 1.8.1". */
  async version(): Promise<string> {
    const out = await this.exec(['--version']);
    return out.split('\n')[0]?.trim() ?? '';
  }

  private async run(action: string, args: string[]): Promise<string> {
    try {
      return await this.exec([...this.globalArgs(), ...args]);
    } catch (err) {
      const msg = (err as Error).message;
      const kind = NOT_FOUND.test(msg) ? 'not-found' : 'internal';
      throw new EngineError(kind, `failed to ${action} container ${args[args.length - 1]}: ${msg}`, { cause: err });
    }
  }

  /** One runtime call (posix_spawn: cheap whatever berthd's size); stdout, or its stderr as the error. */
  private async exec(args: string[]): Promise<string> {
    const r = await runChild(this.path, args);
    if (r.code !== 0) {
      const status = r.code !== null ? `exit status ${r.code}` : `signal ${r.signal}`;
      throw new Error(cleanRuntimeMessage(r.stderr) || `Command failed (${status}): ${this.path} ${args.join(' ')}`);
    }
    return r.stdout;
  }
}

function startThroughFifo(fifo: string): boolean {
  let fd: number;
  try {
    fd = openSync(fifo, fsc.O_WRONLY | fsc.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    unlinkSync(fifo);
    writeSync(fd, Buffer.alloc(1));
    return true;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/** crun/runc print `time=".." level=error msg="..."` or plain text; keep the message. */
export function cleanRuntimeMessage(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const msgs = lines.map((l) => {
    const m = /msg="((?:[^"\\]|\\.)*)"/.exec(l);
    return m ? m[1]!.replace(/\\"/g, '"').replace(/\\\\/g, '\\') : l;
  });
  return msgs.join('; ');
}
