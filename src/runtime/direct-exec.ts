import { mkdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { EngineError } from '../shared/errors.js';
import type { AttachChunk } from './attach.js';
import { ChunkQueue } from './chunk-queue.js';
import type { ExecOptions, ExecSession } from './exec-session.js';
import { runtimeStartError } from './runtime-error.js';
import { exitCodeOf, spawnChild, type SpawnedChild } from './spawn.js';

/**
 * A process without a terminal run in a running container by `<runtime> exec` itself, as
 * containerd's shim runs `runc exec`: no monitor in between, stdio are pipes straight to berthd
 * (stdout and stderr apart), the exit code is the runtime's own (it waits for the process and
 * exits with its status, 128+n for signal n). Terminals keep going through conmon (it owns the
 * pty). The runtime writes `--pid-file` only once the process has been exec'd: seeing it
 * (inotify, no polling) means started; the runtime exiting without it means the process could
 * not start, and what it printed on stderr is the error. Output that arrives before either is
 * known is held back and delivered after.
 *
 * @example
 *   const ex = await directExec({ containerId, execId, runtime, stateDir, process, terminal: false, stdin: false });
 *   for await (const c of ex.io!.output) ...; const code = await ex.exit;
 */
export async function directExec(opts: ExecOptions): Promise<ExecSession> {
  if (opts.terminal) throw new EngineError('internal', 'directExec runs processes without a terminal');
  const dir = join(opts.stateDir, 'exec', opts.execId);
  mkdirSync(dir, { recursive: true });
  const specPath = join(dir, 'process.json');
  const pidFile = join(dir, 'exec.pid');
  writeFileSync(specPath, JSON.stringify({ ...opts.process, terminal: false }));
  const attach = opts.attach ?? true;

  let started: ((pid: number) => void) | undefined;
  const pidSeen = new Promise<number>((resolve) => (started = resolve));
  const readPid = (): boolean => {
    try {
      const n = parseInt(readFileSync(pidFile, 'utf8'), 10);
      if (n > 0) started?.(n);
      return n > 0;
    } catch {
      return false;
    }
  };
  const watcher = watch(dir, (_event, name) => {
    if (name === 'exec.pid') readPid();
  });
  watcher.on('error', () => {});

  let child: SpawnedChild;
  try {
    child = await spawnChild(opts.runtime.path, [...opts.runtime.globalArgs(), 'exec', '--process', specPath, '--pid-file', pidFile, opts.containerId], {
      stdio: [attach && opts.stdin ? 'pipe' : 'ignore', attach ? 'pipe' : 'ignore', 'pipe'],
      // its own session: signals meant for berthd (Ctrl-C, a group kill) do not reach it
      detached: true,
    });
  } catch (err) {
    watcher.close();
    rmSync(dir, { recursive: true, force: true });
    throw runtimeStartError(opts.runtime.name, 'exec', (err as Error).message);
  }
  // the exit status once stdout and stderr have ended too (all output read)
  const exited = child.closed.then(exitCodeOf);

  // Until the outcome is known, output is held in arrival order (stderr may be the runtime's error).
  const queue = new ChunkQueue<AttachChunk>();
  const held: AttachChunk[] = [];
  let holding = true;
  const errText: Buffer[] = [];
  let open = 0;
  let detached = false;
  const pipe = (stream: Readable | null, name: AttachChunk['stream'], deliver: boolean): void => {
    if (!stream) return;
    open++;
    stream.on('data', (data: Buffer) => {
      if (name === 'stderr' && holding) errText.push(data);
      if (!deliver || detached) return;
      if (holding) held.push({ stream: name, data });
      else queue.push({ stream: name, data });
      if (queue.full) stream.pause();
    });
    queue.onDrain = () => {
      child.stdout?.resume();
      child.stderr?.resume();
    };
    const end = (): void => {
      if (--open === 0 && !holding) queue.end();
    };
    stream.once('end', end);
    stream.once('error', end);
  };
  pipe(child.stdout, 'stdout', attach);
  pipe(child.stderr, 'stderr', attach);

  // inotify tells when the pid file is written; a slow check covers an event that never comes
  const fallback = setInterval(readPid, 100);
  const outcome = await Promise.race([pidSeen.then((pid) => ({ pid })), exited.then((code) => ({ code }))]);
  clearInterval(fallback);
  watcher.close();
  let pid: number;
  if ('pid' in outcome) pid = outcome.pid;
  else if (readPid()) pid = await pidSeen; // started, and already gone
  else {
    child.stdin?.destroy();
    rmSync(dir, { recursive: true, force: true });
    const why = Buffer.concat(errText).toString('utf8').trim() || `${opts.runtime.name} exec exited with ${outcome.code}`;
    throw runtimeStartError(opts.runtime.name, 'exec', why);
  }
  holding = false;
  for (const c of held) queue.push(c);
  if (open === 0) queue.end();
  const stdin = child.stdin ?? undefined;
  stdin?.on('error', () => {});
  return {
    pid,
    io: attach
      ? {
          output: queue,
          stdin,
          // Detach: the process keeps running (as under conmon); its output is drained and dropped.
          close: () => {
            detached = true;
            queue.abort();
            child.stdout?.resume();
            child.stderr?.resume();
            stdin?.destroy();
          },
        }
      : undefined,
    exit: exited,
    resize: () => {},
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
