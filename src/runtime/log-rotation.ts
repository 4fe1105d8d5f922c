import { closeSync, constants as fsc, createReadStream, createWriteStream, existsSync, openSync, readdirSync, renameSync, statSync, unlinkSync, watch, writeSync, type FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { inodeOf, rotatedName, rotatedPath } from './log-files.js';
import { monitorPaths } from './monitor-paths.js';

/** What rotation keeps: files of at most `maxSize` bytes (give or take the writes in flight), `maxFiles` of them. */
export interface LogRotationOptions {
  logPath: string;
  /** The container's monitor state dir (its ctl FIFO asks conmon to reopen the log). */
  stateDir: string;
  maxSize: number;
  /** Files kept, the live one included (Docker's max-file, at least 1). */
  maxFiles: number;
  /** gzip rotated files once final (`<log>.N.gz`), as json-file's and local's `compress` do. */
  compress?: boolean;
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
 * (log-reader) use the same naming and finality rule. With `compress`, the rotated files
 * from `log.2` up are gzipped beside them (Docker's gzips `log.1` too; berth leaves the newest
 * rotated file plain for followers) (`<log>.N.compressing-<ino>` renamed to `<log>.N.gz`, then the plain
 * one removed; an interrupted one is redone at the next start). Rotation needs berthd running:
 * while it is down the live file grows, and it is rotated at the next check after restore.
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
      if (size >= maxSize) {
        inFlight = shift(logPath);
        prune(logPath, Math.max(maxFiles + 1, 2));
        reopen(opts.stateDir);
      }
    } catch (err) {
      fail(err);
    }
    // From `log.2` up: final files that a follower keeping up has left (it moves from the file
    // it read to its successor by inode: one gzipped under it would send it back to the oldest).
    if (opts.compress) compressFinal(2);
  };
  const compressing = new Set<number>();
  const compressFinal = (from: number): void => {
    for (let k = from; ; k++) {
      const path = rotatedPath(logPath, k);
      if (path === undefined) return;
      if (!path.endsWith('.gz')) compressOne(path);
    }
  };
  /** `log.k` -> `log.k.gz` off the event loop; the result goes wherever the file was shifted meanwhile. */
  const compressOne = (path: string): void => {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return;
    }
    const ino = inodeOf(path);
    if (ino === undefined || compressing.has(ino)) {
      closeSync(fd);
      return;
    }
    compressing.add(ino);
    const tmp = `${logPath}${COMPRESSING}${ino}`;
    // `fd` stays open until the result is placed: it pins the inode, so a file pruned meanwhile
    // cannot lend its number to a newer one that `indexOf` would then take for it.
    pipeline(createReadStream('', { fd, autoClose: false }), createGzip(), createWriteStream(tmp, { mode: 0o640 }))
      .then(() => {
        const k = indexOf(logPath, ino);
        if (k === undefined) return unlinkSync(tmp); // pruned meanwhile
        const gz = `${rotatedName(logPath, k)}.gz`;
        renameSync(tmp, gz);
        unlinkSync(rotatedName(logPath, k));
      })
      .catch((err: unknown) => {
        try {
          unlinkSync(tmp);
        } catch {
          // not made, or the container's directory is gone
        }
        if (!opts.signal.aborted) fail(err);
      })
      .finally(() => {
        closeSync(fd);
        compressing.delete(ino);
      });
  };
  const schedule = (): void => {
    scheduled ??= setImmediate(check);
  };

  removeStaleCompressions(logPath);
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

/** Name prefix (after the log's) of a compression in progress: `<log>.compressing-<inode>`. */
const COMPRESSING = '.compressing-';

/** Compressions an earlier berthd left half done (their plain files are still there). */
function removeStaleCompressions(logPath: string): void {
  const prefix = basename(logPath) + COMPRESSING;
  try {
    for (const f of readdirSync(dirname(logPath))) if (f.startsWith(prefix)) unlinkSync(join(dirname(logPath), f));
  } catch {
    // no directory yet
  }
}

/** Index of the rotated file (plain) with inode `ino`, if it is still kept. */
function indexOf(logPath: string, ino: number): number | undefined {
  for (let k = 1; rotatedPath(logPath, k) !== undefined; k++) if (inodeOf(rotatedName(logPath, k)) === ino) return k;
  return undefined;
}

/** `log.k` -> `log.(k+1)` (plain and compressed) from the oldest down, then `log` -> `log.1`; returns the shifted live file's inode. */
function shift(logPath: string): number | undefined {
  let top = 0;
  while (rotatedPath(logPath, top + 1) !== undefined) top++;
  for (let k = top; k >= 1; k--) {
    for (const ext of ['', '.gz']) if (existsSync(rotatedName(logPath, k) + ext)) renameSync(rotatedName(logPath, k) + ext, rotatedName(logPath, k + 1) + ext);
  }
  const ino = inodeOf(logPath);
  renameSync(logPath, rotatedName(logPath, 1));
  return ino;
}

/** Delete the rotated files (plain and compressed) from `log.<from>` up. */
function prune(logPath: string, from: number): void {
  for (let k = from; rotatedPath(logPath, k) !== undefined; k++) {
    for (const ext of ['', '.gz']) if (existsSync(rotatedName(logPath, k) + ext)) unlinkSync(rotatedName(logPath, k) + ext);
  }
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
