import { closeSync, constants as fsc, existsSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { EngineError } from '../shared/errors.js';
import { span } from '../shared/trace-timing.js';
import { openAttach, type AttachConnection } from './attach.js';
import { CONMON_PATH } from './conmon-monitor.js';
import { directExec } from './direct-exec.js';
import type { OciRuntime } from './oci-runtime.js';
import { runtimeStartError } from './runtime-error.js';
import { spawnChild, type SpawnedChild } from './spawn.js';

export interface ExecOptions {
  containerId: string;
  /** Unique per exec (Docker's exec id); names its dir and attach socket link. */
  execId: string;
  runtime: OciRuntime;
  /** The container's state dir; the exec lives in <stateDir>/exec/<execId>. */
  stateDir: string;
  /** OCI `process` object (args, env, cwd, user, terminal ...). `terminal` is forced to opts.terminal. */
  process: Record<string, unknown>;
  terminal: boolean;
  stdin: boolean;
  /** Connect the attach socket before the process starts (docker exec without -d). Default true. */
  attach?: boolean;
  conmonPath?: string;
}

export interface ExecSession {
  /** Host pid of the exec'd process. */
  pid: number;
  /** Present when opts.attach: the process's stdio (ends after all output). */
  io?: AttachConnection;
  /** Exit code of the process (128+n when killed by signal n). */
  exit: Promise<number>;
  /** Resize the exec's tty. */
  resize(height: number, width: number): void;
  /** Remove the exec's files (after exit). */
  cleanup(): void;
}

type SyncMsg = { data: number; message?: string };

/**
 * `docker exec`'s runtime side: an attached process without a terminal runs under the runtime
 * alone (directExec: one process less, no socket handshake); a terminal (conmon owns the pty)
 * or a detached exec (it outlives berthd, like the container) runs under conmon --exec.
 */
export function runExec(opts: ExecOptions): Promise<ExecSession> {
  // the pid-file and error conventions directExec relies on are crun's (runc keeps conmon's path)
  const direct = opts.runtime.name === 'crun' && !opts.terminal && (opts.attach ?? true);
  return direct ? directExec(opts) : execProcess(opts);
}

/**
 * Run a process in a running container under its own conmon (`conmon --exec`), the way podman
 * does: conmon creates the attach socket, tells us on the attach pipe, waits on the start pipe
 * until we are connected (so no output is lost), runs `<runtime> exec`, then reports the pid and
 * later the exit code on the sync pipe. fds: 3 sync, 4 start, 5 attach.
 *
 * @example
 *   const ex = await execProcess({ containerId, execId, runtime, stateDir, process: { args: ['ls'], env, cwd: '/' }, terminal: false, stdin: false });
 *   for await (const c of ex.io!.output) ...; const code = await ex.exit;
 */
export async function execProcess(opts: ExecOptions): Promise<ExecSession> {
  const attach = opts.attach ?? true;
  const t = span('execProcess', opts.execId);
  const dir = join(opts.stateDir, 'exec', opts.execId);
  const sockDir = join(opts.stateDir, 'exec-io');
  mkdirSync(join(dir, 'exit'), { recursive: true });
  mkdirSync(sockDir, { recursive: true });
  const specPath = join(dir, 'process.json');
  writeFileSync(specPath, JSON.stringify({ ...opts.process, terminal: opts.terminal }));
  const args = [
    '--api-version', '1',
    '-c', opts.containerId,
    '-u', opts.execId,
    '-n', opts.containerId,
    '-r', opts.terminal ? ttyRuntime(opts.runtime) : opts.runtime.path,
    '-b', dir,
    '-p', join(dir, 'exec.pid'),
    '-l', `k8s-file:${join(dir, 'exec.log')}`,
    '--exit-dir', join(dir, 'exit'),
    '--socket-dir-path', sockDir,
    '--exec', '--exec-process-spec', specPath,
  ];
  for (const a of opts.runtime.globalArgs()) args.push('--runtime-arg', a);
  if (attach) args.push('--exec-attach');
  if (opts.terminal) args.push('-t');
  if (opts.stdin) args.push('-i');
  const errFd = openSync(join(dir, 'conmon.log'), 'a');
  let child: SpawnedChild;
  try {
    child = await spawnChild(opts.conmonPath ?? CONMON_PATH, args, {
      stdio: ['ignore', 'ignore', errFd, 'pipe', 'input', 'pipe'],
      detached: true,
      cwd: dir, // conmon writes files (`oom`) into its working directory
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4', ...(attach ? { _OCI_ATTACHPIPE: '5' } : {}) },
    });
  } catch (err) {
    throw EngineError.wrap('internal', `failed to exec in container ${opts.containerId}`, err);
  } finally {
    closeSync(errFd);
  }
  t.mark('spawn');
  child.unref();
  const [, , , syncPipe, start, attachStream] = child.stdio as [unknown, unknown, unknown, Readable, Writable, Readable];
  const sync = messages(syncPipe);
  const attachPipe = messages(attachStream);
  start.on('error', () => {});
  start.write('0'); // initial start message (conmon blocks on it before forking)
  let io: AttachConnection | undefined;
  try {
    if (attach) {
      const ready = await attachPipe.next();
      if (!ready || ready.data < 0) throw new EngineError('internal', `failed to exec in container ${opts.containerId}: ${ready?.message ?? 'conmon exited'}`);
      t.mark('attach-ready');
      io = openAttach(join(sockDir, opts.execId, 'attach'), { stdin: opts.stdin });
      start.write('1'); // connected: run the process
    }
    const first = await sync.next();
    t.mark('pid');
    t.end();
    if (!first) throw new EngineError('internal', `failed to exec in container ${opts.containerId}: conmon exited without reporting`);
    if (first.data < 0) throw runtimeStartError(opts.runtime.name, 'exec', first.message ?? 'unknown error');
    const exit = sync.next().then((m) => (m ? m.data : 255));
    void exit.finally(() => {
      syncPipe.destroy();
      start.destroy();
      attachStream.destroy();
    });
    return {
      pid: first.data,
      io,
      exit,
      resize: (h, w) => resizeFifo(join(dir, 'ctl'), h, w),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    io?.close();
    for (const s of [syncPipe, start, attachStream]) s.destroy();
    throw err;
  }
}

const CHRT = '/usr/bin/chrt';
const ttyRuntimes = new Map<string, string>();

/**
 * The runtime conmon runs for an exec with a terminal. crun sizes the exec's pty (process.consoleSize)
 * only after it has let the process go, so a process that reads its size at once (`stty size`)
 * can see 0x0 when crun's parent is preempted in between (often, on a loaded machine). runc sizes
 * it inside the container first, so Docker has no such race. Here crun runs at real-time priority
 * with reset-on-fork (`chrt -R -f 1`): nothing preempts it between the two steps, and the
 * container process it forks runs with the normal policy. The wrapper lives beside the runtime's
 * state root; without chrt it is plain crun.
 */
function ttyRuntime(runtime: OciRuntime): string {
  if (runtime.name !== 'crun' || !existsSync(CHRT)) return runtime.path;
  let wrapper = ttyRuntimes.get(runtime.path);
  if (wrapper && existsSync(wrapper)) return wrapper;
  wrapper = join(dirname(runtime.root), `${runtime.name}-tty-exec`);
  try {
    writeFileSync(wrapper, `#!/bin/sh\n# berth: ${runtime.name} for exec with a terminal (see src/runtime/exec-session.ts)\nexec ${CHRT} -R -f 1 ${runtime.path} "$@"\n`, { mode: 0o755 });
  } catch {
    return runtime.path;
  }
  ttyRuntimes.set(runtime.path, wrapper);
  return wrapper;
}

/** Newline-delimited JSON messages from a conmon pipe; next() resolves undefined at EOF. */
function messages(stream: Readable): { next(): Promise<SyncMsg | undefined> } {
  const queue: (SyncMsg | undefined)[] = [];
  const waiters: ((m: SyncMsg | undefined) => void)[] = [];
  let buf = '';
  let ended = false;
  const deliver = (m: SyncMsg | undefined): void => {
    const w = waiters.shift();
    if (w) w(m);
    else queue.push(m);
  };
  stream.on('data', (d: Buffer) => {
    buf += d.toString('utf8');
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        deliver(JSON.parse(line) as SyncMsg);
      } catch {
        // ignore garbage
      }
    }
  });
  const end = (): void => {
    if (ended) return;
    ended = true;
    deliver(undefined);
  };
  stream.on('end', end);
  stream.on('close', end);
  stream.on('error', end);
  return {
    next: () => (queue.length ? Promise.resolve(queue.shift()) : ended ? Promise.resolve(undefined) : new Promise((r) => waiters.push(r))),
  };
}

function resizeFifo(ctl: string, height: number, width: number): void {
  const clamp = (n: number): number => Math.max(0, Math.min(1000, Math.floor(n)));
  let fd: number;
  try {
    fd = openSync(ctl, fsc.O_WRONLY | fsc.O_NONBLOCK);
  } catch (err) {
    throw EngineError.wrap('internal', 'failed to resize exec tty', err);
  }
  try {
    writeFileSync(fd, `1 ${clamp(height)} ${clamp(width)}\n`);
  } finally {
    closeSync(fd);
  }
}
