import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/**
 * The on-disk set of one container's log, as Docker's json-file driver names it: the live
 * file `<log>` and its rotated predecessors `<log>.1` (newest) … `<log>.N` (oldest), all in
 * conmon's k8s-file format. Rotation (log-rotation.ts) shifts them up by one and asks conmon
 * to reopen, so while `<log>` exists every other file is final; while it is missing
 * (a rotation in flight) `<log>.1` is still being written. With `compress` the rotated files
 * from `<log>.2` up become `<log>.N.gz` (for a moment both exist: the plain one is the one read).
 */
export const rotatedName = (logPath: string, i: number): string => (i === 0 ? logPath : `${logPath}.${i}`);

/** Rotated file `i` as it exists now: plain, else compressed; undefined when neither does. */
export function rotatedPath(logPath: string, i: number): string | undefined {
  const plain = rotatedName(logPath, i);
  if (existsSync(plain)) return plain;
  return i > 0 && existsSync(`${plain}.gz`) ? `${plain}.gz` : undefined;
}

/** The most rotated files berth ever looks for (max-file is far below this). */
const MAX_KEPT = 10_000;

/** Paths of the existing files, oldest first, the live `<log>` last. */
export function keptLogFiles(logPath: string): string[] {
  const out: string[] = [];
  for (let i = 1; i < MAX_KEPT; i++) {
    const p = rotatedPath(logPath, i);
    if (p === undefined) break;
    out.push(p);
  }
  out.reverse();
  if (existsSync(logPath)) out.push(logPath);
  return out;
}

/** An open log file with the size it had when opened (what a one-shot read goes up to). */
export interface LogSegment {
  fd: number;
  size: number;
  ino: number;
  /** Set when closing is more than closing `fd` (a compressed file not yet read has no fd). */
  close?: () => void;
}

/** Open the kept files oldest first (one snapshot: the fds survive later renames). */
export function openSegments(logPath: string): LogSegment[] {
  const segs: LogSegment[] = [];
  for (const path of keptLogFiles(logPath)) {
    const seg = openSegment(path);
    if (seg) segs.push(seg);
  }
  return segs;
}

export function openSegment(path: string): LogSegment | undefined {
  if (path.endsWith('.gz')) return openCompressed(path);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  const st = fstatSync(fd);
  return { fd, size: st.size, ino: st.ino };
}

export function closeSegments(segs: LogSegment[]): void {
  for (const s of segs) {
    try {
      if (s.close) s.close();
      else closeSync(s.fd);
    } catch {
      // already closed
    }
  }
}

/** Inode of `path`, or undefined when it does not exist. */
export function inodeOf(path: string): number | undefined {
  try {
    return statSync(path).ino;
  } catch {
    return undefined;
  }
}

/**
 * The file that follows inode `ino` in the set (the next newer one), opened; undefined when
 * `ino` is the newest. When `ino` is gone (rotated away while a slow reader held it) the
 * oldest kept file follows.
 */
export function openSuccessor(logPath: string, ino: number): LogSegment | undefined {
  const files = keptLogFiles(logPath);
  const inos = files.map((f) => inodeOf(f));
  const at = inos.indexOf(ino);
  const next = at < 0 ? files[0] : files[at + 1];
  return next === undefined ? undefined : openSegment(next);
}

/** Read `buf.length` bytes at `pos` (fewer at EOF). */
export function readAt(fd: number, buf: Buffer, pos: number): number {
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, buf.length - got, pos + got);
    if (n <= 0) break;
    got += n;
  }
  return got;
}

/**
 * A compressed rotated file as a segment: its size from the gzip trailer (ISIZE, the
 * uncompressed size mod 2^32: rotated files are far smaller), decompressed into an unlinked
 * file beside it only when something reads it (`logs --tail 10` never touches old files).
 */
function openCompressed(path: string): LogSegment | undefined {
  let gzFd: number;
  try {
    gzFd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  const st = fstatSync(gzFd);
  const gzSize = st.size;
  const trailer = Buffer.alloc(4);
  if (gzSize < 18 || readAt(gzFd, trailer, gzSize - 4) < 4) {
    closeSync(gzFd);
    return undefined;
  }
  let fd: number | undefined;
  return {
    size: trailer.readUInt32LE(0),
    ino: st.ino,
    get fd(): number {
      fd ??= decompressToFd(path, gzFd, gzSize);
      return fd;
    },
    close(): void {
      if (fd !== undefined && fd >= 0) closeSync(fd);
      fd = -1;
      closeSync(gzFd);
    },
  };
}

function decompressToFd(path: string, gzFd: number, gzSize: number): number {
  const gz = Buffer.alloc(gzSize);
  readAt(gzFd, gz, 0);
  const data = gunzipSync(gz);
  const tmp = `${path}.read-${randomBytes(6).toString('hex')}`;
  const fd = openSync(tmp, 'wx+', 0o600);
  unlinkSync(tmp);
  try {
    for (let off = 0; off < data.length; ) off += writeSync(fd, data, off);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}
