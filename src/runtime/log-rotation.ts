import { closeSync, constants as fsc, existsSync, openSync, renameSync, statSync, unlinkSync, watch, writeSync, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { inodeOf, rotatedName } from './log-files.js';
import { monitorPaths } from './monitor-paths.js';

/** What rotation keeps: files of at most `maxSize` bytes (give or take the writes in flight), `maxFiles` of them. */
export interface LogRotationOptions {
  logPath: string;
  /** The container's monitor state dir (its ctl FIFO asks conmon to reopen the log). */
  stateDir: string;
  maxSize: number;
  /** Files kept, the live one included (Docker's max-file, at least 1). */
  maxFiles: number;
  /** Rotation stops when this aborts (the container's monitor exited). */
  signal: AbortSignal;
  onError?: (err: unknown) => void;
}

/** A check even without events (a missed event; conmon slow to reopen). */
const IDLE_CHECK_MS = 1000;
/** conmon's ctl message: REOPEN_LOGS_EVENT (2) with two unused numbers. */
const REOPEN = '2 0 0\n';

/**
 * Keeps a container's log bounded as Docker's json-file driver does, with conmon writing
 * it. conmon's own `--log-size-max` replaces the file with an empty one (the lines are
 * gone), so berth does not use it; instead, when the live file reaches `maxSize`, the
 * files shift up (`log.1` -> `log.2` …, `log` -> `log.1`) and conmon is asked over its ctl
 * FIFO to reopen: until it does it keeps appending to `log.1` (nothing is lost), then it
 * creates a new `log`. The file past `maxFiles` is deleted once the new `log` has
 * content (so `logs` right after a rotation still shows the latest lines). Readers
 * (log-reader) use the same naming and finality rule. Rotation needs berthd running: while
 * it is down the live file grows, and it is rotated at the next check after restore.
 *
 * @example const stop = new AbortController(); rotateLogs({ logPath, stateDir, maxSize: 10e6, maxFiles: 3, signal: stop.signal });
 */
export function rotateLogs(opts: LogRotationOptions): void {
  const { logPath, maxSize } = opts;
  const maxFiles = Math.max(1, opts.maxFiles);
  const name = basename(logPath);
  /** Inode of the file that was shifted to `log.1` while conmon has not reopened yet. */
  let inFlight: number | undefined | null = null;
  // Events that arrive together are looked at once, right after (one stat per event-loop turn).
  let scheduled: NodeJS.Immediate | undefined;
  let watcher: FSWatcher | undefined;

  const fail = (err: unknown): void => opts.onError?.(err);
  const check = (): void => {
    scheduled = undefined;
    if (opts.signal.aborted) return;
    try {
      const live = inodeOf(logPath);
      if (inFlight !== null) {
        if (live === undefined || live === inFlight) return; // conmon has not reopened yet
        inFlight = null;
      }
      if (live === undefined) {
        // Left mid-rotation by an earlier berthd (or not created yet): ask conmon to reopen.
        if (existsSync(rotatedName(logPath, 1))) {
          inFlight = undefined;
          reopen(opts.stateDir);
        }
        return;
      }
      const size = statSync(logPath).size;
      // The file past max-file goes once the new one has content (logs never shows nothing).
      if (size > 0) prune(logPath, maxFiles);
      if (size < maxSize) return;
      inFlight = shift(logPath);
      prune(logPath, Math.max(maxFiles + 1, 2));
      reopen(opts.stateDir);
    } catch (err) {
      fail(err);
    }
  };
  const schedule = (): void => {
    scheduled ??= setImmediate(check);
  };

  try {
    watcher = watch(dirname(logPath), { persistent: false }, (_e, file) => {
      if (file === null || String(file).startsWith(name)) schedule();
    });
    watcher.on('error', fail);
  } catch (err) {
    fail(err);
  }
  const idle = setInterval(schedule, IDLE_CHECK_MS);
  idle.unref();
  schedule();
  const stop = (): void => {
    clearInterval(idle);
    if (scheduled) clearImmediate(scheduled);
    watcher?.close();
  };
  if (opts.signal.aborted) stop();
  else opts.signal.addEventListener('abort', stop, { once: true });
}

/** `log.k` -> `log.(k+1)` from the oldest down, then `log` -> `log.1`; returns the shifted live file's inode. */
function shift(logPath: string): number | undefined {
  let top = 0;
  while (existsSync(rotatedName(logPath, top + 1))) top++;
  for (let k = top; k >= 1; k--) renameSync(rotatedName(logPath, k), rotatedName(logPath, k + 1));
  const ino = inodeOf(logPath);
  renameSync(logPath, rotatedName(logPath, 1));
  return ino;
}

/** Delete the rotated files from `log.<from>` up. */
function prune(logPath: string, from: number): void {
  for (let k = from; existsSync(rotatedName(logPath, k)); k++) unlinkSync(rotatedName(logPath, k));
}

/** Ask conmon to reopen its log (no-op when conmon is gone: nobody reads the FIFO). */
function reopen(stateDir: string): void {
  let fd: number;
  try {
    fd = openSync(monitorPaths(stateDir).ctlFifo, fsc.O_WRONLY | fsc.O_NONBLOCK);
  } catch {
    return;
  }
  try {
    writeSync(fd, REOPEN);
  } finally {
    closeSync(fd);
  }
}
