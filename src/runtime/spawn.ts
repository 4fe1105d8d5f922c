import { closeSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { errnoCode, spawnSys, type FileAction } from './spawn-sys.js';

/**
 * Child processes for the run/exec hot paths (conmon, `crun exec`, `crun kill/delete/...`) through
 * posix_spawn(3) instead of child_process: glibc's vfork-style spawn costs the same whatever
 * berthd's RSS, where libuv's fork copies berthd's page tables (2.6 ms per spawn from a 44 MB
 * node, 11.7 ms from 256 MB, all of it on the event loop).
 *
 * - stdio[i] is the child's fd i: 'ignore' (/dev/null), 'inherit' (berthd's fd i), a number (that
 *   fd of berthd's, which berthd keeps), 'pipe' (berthd reads what the child writes; for fd 0,
 *   berthd writes) or 'input' (berthd writes, the child reads: any fd). Pipe ends are net.Sockets.
 * - The child gets exactly those fds: every other one is closed in it (closefrom), whatever its
 *   close-on-exec flag. Signals: none blocked, every one at its default.
 * - A program that cannot be run rejects, with child_process's error: code 'ENOENT', 'EACCES'...,
 *   syscall `spawn <file>`. The spawn waits on a threadpool thread, never on the event loop.
 * - Exits are reaped on SIGCHLD with waitpid(pid, WNOHANG) for our own pids only (libuv, too,
 *   reaps only the pids it spawned; a slow poll backs the signal up). `exit` resolves with the
 *   status; `closed` once the pipes from the child have ended as well (child_process's 'close').
 *
 * @example
 *   const c = await spawnChild('/usr/bin/crun', ['exec', ...], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
 *   c.stdout!.on('data', ...); const { code, signal } = await c.exit;
 *   const { stdout } = await runChild('/usr/bin/crun', ['state', id]); // execFile
 */
export type StdioSpec = 'ignore' | 'inherit' | 'pipe' | 'input' | number;

export interface SpawnOptions {
  /** Default ['ignore', 'ignore', 'ignore']. */
  stdio?: StdioSpec[];
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** A session of its own (setsid), as child_process's `detached`. */
  detached?: boolean;
}

export interface ExitStatus {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedChild {
  readonly pid: number;
  /** Per child fd: the pipe's end in berthd (a net.Socket), else null. */
  readonly stdio: (Readable | Writable | null)[];
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  readonly exit: Promise<ExitStatus>;
  /** After exit and the end of every pipe the child writes to. */
  readonly closed: Promise<ExitStatus>;
  /** Signal the child (no-op once it is reaped). */
  kill(signal?: NodeJS.Signals | number): void;
  /** Do not keep the event loop alive for this child (its pipes still do, as with child_process). */
  unref(): void;
}

/** Shell-style 128+n for a signal, as runtimes report it. */
export function exitCodeOf(s: ExitStatus): number {
  if (s.code !== null) return s.code;
  return s.signal ? 128 + signalNumber(s.signal) : 255;
}

export async function spawnChild(file: string, args: string[], opts: SpawnOptions = {}): Promise<SpawnedChild> {
  const sys = spawnSys();
  const stdio = opts.stdio ?? ['ignore', 'ignore', 'ignore'];
  const n = stdio.length;
  const actions: FileAction[] = [];
  if (opts.cwd) actions.push({ op: 'chdir', path: opts.cwd });
  const ours: (number | undefined)[] = []; // berthd's ends of the pipes, per child fd
  const toClose: number[] = []; // child ends and temporary duplicates, closed after the spawn
  // A source fd below n could be overwritten by an earlier dup2 onto it: move it above first.
  const source = (fd: number): number => {
    if (fd >= n) return fd;
    const high = sys.dupAbove(fd, n);
    toClose.push(high);
    return high;
  };
  try {
    stdio.forEach((s, fd) => {
      if (s === 'ignore') actions.push({ op: 'open', fd, path: '/dev/null', flags: fd === 0 ? 0 : 2 });
      else if (s === 'inherit') actions.push({ op: 'dup2', from: fd, to: fd }); // glibc clears FD_CLOEXEC on a same-fd dup2
      else if (typeof s === 'number') actions.push({ op: 'dup2', from: source(s), to: fd });
      else {
        const [r, w] = sys.pipe();
        const childReads = s === 'input' || fd === 0;
        ours[fd] = childReads ? w : r;
        const theirs = childReads ? r : w;
        toClose.push(theirs);
        actions.push({ op: 'dup2', from: source(theirs), to: fd });
      }
    });
    actions.push({ op: 'closefrom', from: n });
    const env = Object.entries(opts.env ?? process.env)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${v}`);
    const { err, pid } = await sys.spawn(file, [file, ...args], env, actions, { setsid: Boolean(opts.detached) });
    if (err !== 0) throw spawnError(file, args, err);
    return makeChild(pid, stdio, ours);
  } catch (err) {
    for (const fd of ours) if (fd !== undefined) closeQuiet(fd);
    throw err;
  } finally {
    for (const fd of toClose) closeQuiet(fd);
  }
}

/**
 * execFile: runs to the end, collecting stdout and stderr (utf8). Resolves whatever the exit
 * status; rejects only when the program cannot be run (or its output passes maxBuffer).
 */
export async function runChild(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; maxBuffer?: number } = {}): Promise<ExitStatus & { stdout: string; stderr: string }> {
  const child = await spawnChild(file, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  const max = opts.maxBuffer ?? 16 << 20;
  const collect = (s: Readable | null): Promise<string> =>
    new Promise((resolve, reject) => {
      const parts: Buffer[] = [];
      let size = 0;
      s!.on('data', (d: Buffer) => {
        size += d.length;
        if (size > max) {
          child.kill('SIGKILL');
          s!.destroy();
          reject(new RangeError(`${file}: output exceeds maxBuffer (${max} bytes)`));
          return;
        }
        parts.push(d);
      });
      s!.on('error', () => {});
      s!.on('close', () => resolve(Buffer.concat(parts).toString('utf8')));
    });
  return Promise.all([collect(child.stdout), collect(child.stderr), child.exit]).then(([stdout, stderr, st]) => ({ ...st, stdout, stderr }));
}

function makeChild(pid: number, stdio: StdioSpec[], ours: (number | undefined)[]): SpawnedChild {
  const streams = stdio.map((s, fd) => {
    const mine = ours[fd];
    if (mine === undefined) return null;
    const writes = s === 'input' || fd === 0;
    const sock = new Socket({ fd: mine, readable: !writes, writable: writes });
    return sock;
  });
  let reaped = false;
  const entry = track(pid);
  const exit = entry.promise.then((st) => {
    reaped = true;
    return st;
  });
  const readers = streams.filter((s, fd) => s && !(stdio[fd] === 'input' || fd === 0)) as Socket[];
  const closed = Promise.all([exit, ...readers.map((s) => new Promise<void>((r) => (s.destroyed ? r() : s.once('close', () => r()))))]).then(([st]) => st);
  return {
    pid,
    stdio: streams,
    stdin: (streams[0] as Writable | null) ?? null,
    stdout: (streams[1] as Readable | null) ?? null,
    stderr: (streams[2] as Readable | null) ?? null,
    exit,
    closed,
    kill(signal = 'SIGTERM') {
      if (reaped) return;
      try {
        process.kill(pid, signal);
      } catch {
        // gone already
      }
    },
    unref() {
      entry.unref();
    },
  };
}

// ---------------------------------------------------------------- reaping

interface Pending {
  resolve(st: ExitStatus): void;
  ref: boolean;
}
const pending = new Map<number, Pending>();
let listening = false;
let poll: NodeJS.Timeout | undefined;

function track(pid: number): { promise: Promise<ExitStatus>; unref(): void } {
  let resolve!: (st: ExitStatus) => void;
  const promise = new Promise<ExitStatus>((r) => (resolve = r));
  const p: Pending = { resolve, ref: true };
  pending.set(pid, p);
  if (!listening) {
    listening = true;
    process.on('SIGCHLD', reapAll);
  }
  // It may have exited already (a SIGCHLD handled before it was in the map is harmless: we look now).
  setImmediate(reapAll);
  updatePoll();
  return {
    promise,
    unref() {
      p.ref = false;
      updatePoll();
    },
  };
}

function reapAll(): void {
  if (pending.size === 0) return;
  const sys = spawnSys();
  for (const [pid, p] of pending) {
    const st = sys.reap(pid);
    if (st === undefined) continue;
    pending.delete(pid);
    p.resolve(st === 'gone' ? { code: null, signal: null } : decodeStatus(st));
  }
  updatePoll();
}

/** A slow poll backs the signal up; it keeps the loop alive while a ref'd child runs (as child_process does). */
function updatePoll(): void {
  if (pending.size === 0) {
    if (poll) clearInterval(poll);
    poll = undefined;
    return;
  }
  poll ??= setInterval(reapAll, 1000);
  const anyRef = [...pending.values()].some((p) => p.ref);
  if (anyRef) poll.ref();
  else poll.unref();
}

function decodeStatus(status: number): ExitStatus {
  const sig = status & 0x7f;
  if (sig === 0) return { code: (status >> 8) & 0xff, signal: null };
  return { code: null, signal: signalName(sig) };
}

const SIGNAL_NAMES: Record<number, NodeJS.Signals> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL',
  10: 'SIGUSR1', 11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM', 17: 'SIGCHLD', 18: 'SIGCONT',
  19: 'SIGSTOP', 20: 'SIGTSTP', 21: 'SIGTTIN', 22: 'SIGTTOU', 23: 'SIGURG', 24: 'SIGXCPU', 25: 'SIGXFSZ', 26: 'SIGVTALRM',
  27: 'SIGPROF', 28: 'SIGWINCH', 29: 'SIGIO', 30: 'SIGPWR', 31: 'SIGSYS',
};

function signalName(n: number): NodeJS.Signals {
  return SIGNAL_NAMES[n] ?? (`SIG${n}` as NodeJS.Signals);
}

function signalNumber(name: NodeJS.Signals): number {
  for (const [n, s] of Object.entries(SIGNAL_NAMES)) if (s === name) return Number(n);
  return 0;
}

function spawnError(file: string, args: string[], errno: number): NodeJS.ErrnoException {
  const code = errnoCode(errno);
  const err = new Error(`spawn ${file} ${code}`) as NodeJS.ErrnoException & { path: string; spawnargs: string[] };
  err.code = code;
  err.errno = -errno;
  err.syscall = `spawn ${file}`;
  err.path = file;
  err.spawnargs = args;
  return err;
}

function closeQuiet(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
