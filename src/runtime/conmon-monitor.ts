import { closeSync, constants as fsc, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, statSync, watch, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { EngineError } from '../shared/errors.js';
import { processAlive } from '../shared/libc.js';
import { openAttach, type AttachConnection } from './attach.js';
import { monitorPaths } from './monitor-paths.js';
import type { OciRuntime } from './oci-runtime.js';
import { runtimeStartError } from './runtime-error.js';
import { spawnChild, type SpawnedChild } from './spawn.js';

export { monitorPaths } from './monitor-paths.js';
export type { MonitorPaths } from './monitor-paths.js';

export const CONMON_PATH = '/usr/bin/conmon';

export interface LaunchOptions {
  id: string;
  /** OCI bundle (config.json + rootfs). */
  bundleDir: string;
  runtime: OciRuntime;
  /** exec-root/containers/<id>: pid files, exit dir, io link (see monitor-paths.ts). */
  stateDir: string;
  /** k8s-file log written by conmon. */
  logPath: string;
  terminal: boolean;
  /** Keep a stdin pipe (Docker OpenStdin). */
  stdin: boolean;
  /** Docker StdinOnce: the first attach that ends its stdin closes the container's stdin. Default true. */
  stdinOnce?: boolean;
  /** Container name for conmon's messages; defaults to id. */
  name?: string;
  /** Program (and args) conmon runs after the container exits. */
  exitCommand?: string[];
  /** conmon binary; default /usr/bin/conmon. */
  conmonPath?: string;
  /** ms to wait for `runtime create`; default 60000. */
  timeoutMs?: number;
}

export interface LaunchResult {
  conmonPid: number;
  /** Host pid of the container's init (created, not yet started). */
  pid: number;
}

/** How the container ended, from conmon's files. */
export interface ExitInfo {
  exitCode: number;
  finishedAt: Date;
  oomKilled: boolean;
  /** conmon vanished without writing an exit code (killed, host trouble); exitCode is 255. */
  monitorLost?: boolean;
}

/**
 * Start conmon for a bundle; conmon double-forks (so it outlives berthd), runs
 * `<runtime> create`, serves the attach socket and writes the log and exit code.
 * Resolves once the container is *created* (not started): attach now, then startContainer().
 * Runtime failures (e.g. command not found) reject with RuntimeStartError (exitCode 126/127).
 *
 * @example
 *   const { pid } = await launch({ id, bundleDir, runtime, stateDir, logPath, terminal: false, stdin: false });
 *   const conn = attach(stateDir, { stdin: false });
 *   await startContainer(runtime, id);
 */
export async function launch(opts: LaunchOptions): Promise<LaunchResult> {
  const paths = monitorPaths(opts.stateDir);
  const bundleDir = resolve(opts.bundleDir);
  if (!existsSync(`${bundleDir}/config.json`)) throw new EngineError('internal', `failed to launch container ${opts.id}: no config.json in ${bundleDir}`);
  for (const dir of [paths.stateDir, paths.persistDir]) mkdirSync(dir, { recursive: true });
  for (const f of [paths.conmonPidFile, paths.ctrPidFile, paths.exitDir, `${paths.persistDir}/oom`]) rmSync(f, { recursive: true, force: true });
  mkdirSync(paths.exitDir);
  if (opts.runtime.root) mkdirSync(opts.runtime.root, { recursive: true });

  const args = conmonArgs(opts, bundleDir);
  const errFd = openSync(paths.conmonLog, 'a');
  let child: SpawnedChild;
  try {
    child = await spawnChild(opts.conmonPath ?? CONMON_PATH, args, {
      stdio: ['ignore', 'ignore', errFd, 'pipe'],
      detached: true,
      // conmon writes files (`oom`) into its working directory: keep them in the state dir.
      cwd: paths.stateDir,
      env: { PATH: process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', _OCI_SYNCPIPE: '3' },
    });
  } catch (err) {
    throw EngineError.wrap('internal', `failed to launch container ${opts.id}`, err);
  } finally {
    closeSync(errFd);
  }
  // conmon forks away at once; the first process is reaped in the background
  child.unref();
  const sync = child.stdio[3] as Readable;
  let msg: { data: number; message?: string } | undefined;
  try {
    msg = await readSyncMessage(sync, opts.timeoutMs ?? 60_000);
  } finally {
    sync.destroy();
  }
  if (!msg) {
    const why = readTail(paths.conmonLog) || 'conmon exited without reporting';
    throw new EngineError('internal', `failed to launch container ${opts.id}: ${why}`);
  }
  if (msg.data < 0) {
    await opts.runtime.delete(opts.id, { force: true }).catch(() => {});
    throw runtimeStartError(opts.runtime.name, 'create', msg.message ?? 'unknown error');
  }
  const conmonPid = await waitForPidFile(paths.conmonPidFile);
  return { conmonPid, pid: msg.data };
}

function conmonArgs(opts: LaunchOptions, bundleDir: string): string[] {
  const paths = monitorPaths(opts.stateDir);
  const args = [
    '--api-version', '1',
    '-c', opts.id,
    '-u', paths.ioLinkName,
    '-n', opts.name ?? opts.id,
    '-r', opts.runtime.path,
    '-b', bundleDir,
    '-p', paths.ctrPidFile,
    '-P', paths.conmonPidFile,
    '-l', `k8s-file:${resolve(opts.logPath)}`,
    '--exit-dir', paths.exitDir,
    '--persist-dir', paths.persistDir,
    '--socket-dir-path', paths.stateDir,
    // no fsync of the log when the container exits (it delays the exit file, which everything
    // waiting on the exit waits for); dockerd does not sync its json-file logs either
    '--no-sync-log',
  ];
  for (const a of opts.runtime.globalArgs()) args.push('--runtime-arg', a);
  if (opts.terminal) args.push('-t');
  if (opts.stdin) args.push('-i');
  // A tty's stdin must survive detaches; StdinOnce=false keeps it open for later attaches.
  if (opts.stdin && (opts.terminal || opts.stdinOnce === false)) args.push('--leave-stdin-open');
  if (opts.exitCommand?.length) {
    args.push('--exit-command', opts.exitCommand[0]!);
    for (const a of opts.exitCommand.slice(1)) args.push('--exit-command-arg', a);
  }
  return args;
}

function readSyncMessage(sync: Readable, timeoutMs: number): Promise<{ data: number; message?: string } | undefined> {
  return new Promise((resolveMsg, reject) => {
    let buf = '';
    const timer = setTimeout(() => done(new EngineError('internal', `failed to launch container: runtime create timed out after ${timeoutMs}ms`)), timeoutMs);
    const done = (err?: Error, msg?: { data: number; message?: string }): void => {
      clearTimeout(timer);
      sync.removeAllListeners();
      sync.on('error', () => {});
      if (err) reject(err);
      else resolveMsg(msg);
    };
    sync.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      try {
        done(undefined, JSON.parse(buf.slice(0, nl)) as { data: number; message?: string });
      } catch (err) {
        done(EngineError.wrap('internal', 'failed to read conmon sync message', err));
      }
    });
    sync.on('end', () => done(undefined, undefined));
    sync.on('close', () => done(undefined, undefined));
    sync.on('error', () => done(undefined, undefined));
  });
}

async function waitForPidFile(file: string): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const pid = readPidFile(file);
    if (pid) return pid;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new EngineError('internal', `failed to launch container: conmon did not write ${file}`);
}

function readPidFile(file: string): number | undefined {
  try {
    const n = parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isFinite(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

function readTail(file: string): string {
  try {
    const text = readFileSync(file, 'utf8');
    return text.split('\n').map((l) => l.trim()).filter(Boolean).slice(-3).join('; ');
  } catch {
    return '';
  }
}

/** `<runtime> start`: runs the process of a created container. */
export async function startContainer(runtime: OciRuntime, id: string): Promise<void> {
  try {
    await runtime.start(id);
  } catch (err) {
    const raw = (err as Error).message.replace(/^failed to start container \S+: /, '');
    throw runtimeStartError(runtime.name, 'start', raw);
  }
}

/** Connect to the container's attach socket (see openAttach). */
export function attach(stateDir: string, opts: { stdin: boolean }): AttachConnection {
  return openAttach(monitorPaths(stateDir).attachSocket, opts);
}

/** Resize the container's tty (conmon clamps to 1000x1000). */
export function resize(stateDir: string, height: number, width: number): void {
  const clamp = (n: number): number => Math.max(0, Math.min(1000, Math.floor(n)));
  let fd: number;
  try {
    fd = openSync(monitorPaths(stateDir).ctlFifo, fsc.O_WRONLY | fsc.O_NONBLOCK);
  } catch (err) {
    throw EngineError.wrap('internal', 'failed to resize tty', err);
  }
  try {
    writeSync(fd, `1 ${clamp(height)} ${clamp(width)}\n`);
  } finally {
    closeSync(fd);
  }
}

/** The pids conmon recorded (either may be missing). */
export function readPids(stateDir: string): { conmonPid?: number; pid?: number } {
  const p = monitorPaths(stateDir);
  return { conmonPid: readPidFile(p.conmonPidFile), pid: readPidFile(p.ctrPidFile) };
}

/** Exit code conmon wrote, or undefined while the container has not exited. */
export function readExitCode(stateDir: string): number | undefined {
  return readExitInfo(stateDir)?.exitCode;
}

/** Exit code, finish time and OOM flag, or undefined while the container has not exited. */
export function readExitInfo(stateDir: string): ExitInfo | undefined {
  const p = monitorPaths(stateDir);
  let names: string[];
  try {
    names = readdirSync(p.exitDir);
  } catch {
    return undefined;
  }
  for (const name of names) {
    // conmon writes `<id>.XXXXXX` and renames it to `<id>`: skip the temporary file.
    if (name.includes('.')) continue;
    const file = `${p.exitDir}/${name}`;
    let text: string;
    let finishedAt: Date;
    try {
      text = readFileSync(file, 'utf8').trim();
      finishedAt = statSync(file).mtime;
    } catch {
      continue; // renamed or removed under us: the next event or poll looks again
    }
    if (text === '') continue; // being written
    const code = parseInt(text, 10);
    if (!Number.isFinite(code)) continue;
    return { exitCode: code, finishedAt, oomKilled: existsSync(`${p.persistDir}/oom`) };
  }
  return undefined;
}

/** True when pid is a live (non-zombie) conmon process. */
export function isAlive(conmonPid: number): boolean {
  if (!processAlive(conmonPid)) return false;
  try {
    const stat = readFileSync(`/proc/${conmonPid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const state = stat.slice(close + 2, close + 3);
    return comm === 'conmon' && state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/**
 * Call onExit once when the container exits: fs.watch on the exit dir plus a poll (which also
 * notices a conmon that died without writing, reported as exit 255 + monitorLost). Works for
 * containers launched by an earlier daemon. Returns a cancel function.
 */
export function watchExit(stateDir: string, onExit: (info: ExitInfo) => void, opts: { pollMs?: number } = {}): () => void {
  const p = monitorPaths(stateDir);
  let done = false;
  let lostChecks = 0;
  let watcher: ReturnType<typeof watch> | undefined;
  const check = (): void => {
    if (done) return;
    const info = readExitInfo(stateDir);
    if (info) return finish(info);
    const conmonPid = readPidFile(p.conmonPidFile);
    if (conmonPid !== undefined && !isAlive(conmonPid)) {
      // conmon writes the exit file just before it exits: look again before giving up.
      if (++lostChecks >= 2) finish({ exitCode: 255, finishedAt: new Date(), oomKilled: false, monitorLost: true });
    }
  };
  const finish = (info: ExitInfo): void => {
    cancel();
    onExit(info);
  };
  const timer = setInterval(check, opts.pollMs ?? 1000);
  timer.unref();
  const cancel = (): void => {
    done = true;
    clearInterval(timer);
    watcher?.close();
  };
  try {
    mkdirSync(p.exitDir, { recursive: true });
    watcher = watch(p.exitDir, () => setImmediate(check));
    watcher.on('error', () => {});
    watcher.unref();
  } catch {
    // the poll still covers it
  }
  queueMicrotask(check);
  return cancel;
}
