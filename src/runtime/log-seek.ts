import { newLineFields, scanLine, timeSecondsAt } from './k8s-log-line.js';
import { readAt, type LogSegment } from './log-files.js';

/** Where reading starts: segment index and byte offset in it (a line start). */
export interface LogPosition {
  seg: number;
  offset: number;
}

const BLOCK = 64 * 1024;
const NL = 0x0a;

/**
 * Lines of one file from last to first with their start offsets, one block in memory at a
 * time (the file is never read forward). `end` is where the last line ends.
 */
export function* linesBackward(fd: number, end: number): Generator<{ buf: Buffer; start: number; end: number; offset: number }> {
  let buffer: Buffer = Buffer.alloc(0);
  let bufStart = end;
  let lineEnd = end;
  const probe = Buffer.alloc(1);
  if (end > 0 && readAt(fd, probe, end - 1) === 1 && probe[0] === NL) lineEnd = end - 1;
  for (;;) {
    const rel = lineEnd - bufStart;
    const i = rel > 0 ? buffer.lastIndexOf(NL, rel - 1) : -1;
    if (i >= 0) {
      yield { buf: buffer, start: i + 1, end: rel, offset: bufStart + i + 1 };
      lineEnd = bufStart + i;
      continue;
    }
    if (bufStart === 0) {
      if (lineEnd > 0) yield { buf: buffer, start: 0, end: lineEnd, offset: 0 };
      return;
    }
    const newStart = Math.max(0, bufStart - BLOCK);
    const keep = Math.max(0, rel);
    const block = Buffer.allocUnsafe(bufStart - newStart + keep);
    readAt(fd, block.subarray(0, bufStart - newStart), newStart);
    buffer.copy(block, bufStart - newStart, 0, keep);
    buffer = block;
    bufStart = newStart;
  }
}

/**
 * Position after which at least `n` whole chunks of the wanted streams follow, reading the
 * files backwards from the newest (only the tail is ever read). It backs up past P pieces
 * to the end of an F line so the first chunk is whole.
 */
export function tailPosition(segs: LogSegment[], n: number, want: (stream: 'stdout' | 'stderr') => boolean): LogPosition {
  if (n <= 0) return { seg: segs.length, offset: 0 };
  const f = newLineFields();
  let count = 0;
  let found = false;
  for (let s = segs.length - 1; s >= 0; s--) {
    for (const l of linesBackward(segs[s]!.fd, segs[s]!.size)) {
      if (!scanLine(l.buf, l.start, l.end, f) || f.partial) continue;
      if (found) return { seg: s, offset: l.offset + (l.end - l.start) + 1 }; // just after this F line
      if (want(f.stream) && ++count >= n) found = true;
    }
  }
  return { seg: 0, offset: 0 };
}

/**
 * Position of the first line stamped at or after `since` (unix seconds), by binary search
 * on the times at line starts (conmon stamps in order): O(log size) small reads per file,
 * never a scan. It then backs up over the P pieces before that line so its chunk is whole.
 */
export function sincePosition(segs: LogSegment[], since: number): LogPosition {
  for (let s = 0; s < segs.length; s++) {
    const seg = segs[s]!;
    const off = firstLineAtOrAfter(seg, since);
    if (off < seg.size) return { seg: s, offset: backOverPartials(seg, off) };
  }
  return { seg: segs.length, offset: 0 };
}

function firstLineAtOrAfter(seg: LogSegment, since: number): number {
  const probe = Buffer.allocUnsafe(4096);
  let lo = 0;
  let hi = seg.size;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const start = lineStartFrom(seg, mid, probe);
    if (start >= seg.size || !(lineTime(seg, start, probe) < since)) hi = mid;
    else lo = mid + 1;
  }
  return lineStartFrom(seg, lo, probe);
}

/** The first line start at or after `off`. */
function lineStartFrom(seg: LogSegment, off: number, probe: Buffer): number {
  if (off === 0) return 0;
  for (let pos = off - 1; pos < seg.size; pos += probe.length) {
    const n = readAt(seg.fd, probe, pos);
    const i = probe.subarray(0, n).indexOf(NL);
    if (i >= 0) return pos + i + 1;
    if (n < probe.length) break;
  }
  return seg.size;
}

/** Unix seconds stamped on the line starting at `start` (NaN when unreadable). */
function lineTime(seg: LogSegment, start: number, probe: Buffer): number {
  const n = readAt(seg.fd, probe.subarray(0, 64), start);
  const sp = probe.subarray(0, n).indexOf(0x20);
  return sp < 0 ? NaN : timeSecondsAt(probe, 0, sp);
}

/**
 * Back from the line at `off` over the P pieces that chunks completing after it began with
 * (each stream's run of P lines ends, going backwards, at its previous F line).
 */
function backOverPartials(seg: LogSegment, off: number): number {
  const f = newLineFields();
  const closed = new Set<string>();
  let start = off;
  let sinceLastPiece = 0;
  for (const l of linesBackward(seg.fd, off)) {
    if (!scanLine(l.buf, l.start, l.end, f)) continue;
    if (!f.partial) closed.add(f.stream);
    else if (!closed.has(f.stream)) {
      start = l.offset;
      sinceLastPiece = 0;
    }
    if (closed.size === 2 || ++sinceLastPiece > 256) break;
  }
  return start;
}
