import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';

/**
 * The on-disk set of one container's log, as Docker's json-file driver names it: the live
 * file `<log>` and its rotated predecessors `<log>.1` (newest) … `<log>.N` (oldest), all in
 * conmon's k8s-file format. Rotation (log-rotation.ts) shifts them up by one and asks conmon
 * to reopen, so while `<log>` exists every other file is final; while it is missing
 * (a rotation in flight) `<log>.1` is still being written.
 */
export const rotatedName = (logPath: string, i: number): string => (i === 0 ? logPath : `${logPath}.${i}`);

/** The most rotated files berth ever looks for (max-file is far below this). */
const MAX_KEPT = 10_000;

/** Paths of the existing files, oldest first, the live `<log>` last. */
export function keptLogFiles(logPath: string): string[] {
  const out: string[] = [];
  for (let i = 1; i < MAX_KEPT && existsSync(rotatedName(logPath, i)); i++) out.push(rotatedName(logPath, i));
  out.reverse();
  if (existsSync(logPath)) out.push(logPath);
  return out;
}

/** An open log file with the size it had when opened (what a one-shot read goes up to). */
export interface LogSegment {
  fd: number;
  size: number;
  ino: number;
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
      closeSync(s.fd);
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
