import { isoTime } from '../shared/iso-time.js';

/**
 * One line of conmon's k8s-file log: `<RFC3339Nano time> <stdout|stderr> <P|F> <content>`.
 * P marks a partial line (the content continues in the next line of the same stream);
 * F ends the line, whose newline is not stored.
 */
export interface K8sLogLine {
  /** Time normalized to UTC, 9 fraction digits (Docker's RFC3339NanoFixed). */
  time: string;
  /** Unix seconds with fraction. */
  seconds: number;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  content: Buffer;
}

const SPACE = 0x20;
const COLON = 0x3a;
const P = 0x50;
const LOWER_O = 0x6f;

/**
 * Where the fields of one line lie in its buffer, filled in place by `scanLine` (the hot
 * path allocates nothing per line). Offsets are absolute in the buffer.
 */
export interface LineFields {
  /** End of the time field (the first space). */
  timeEnd: number;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  /** Start of the content (the line's end when it is empty). */
  contentStart: number;
}

export const newLineFields = (): LineFields => ({ timeEnd: 0, stream: 'stdout', partial: false, contentStart: 0 });

/** Scan the line `buf[start, end)` (no "\n") into `f`; false when malformed. */
export function scanLine(buf: Buffer, start: number, end: number, f: LineFields): boolean {
  const s1 = buf.indexOf(SPACE, start);
  if (s1 < 0 || s1 + 8 > end || buf[s1 + 7] !== SPACE) return false;
  // "stdout" / "stderr": both are s,t,d + 3 letters; the 4th letter tells them apart.
  if (buf[s1 + 1] !== 0x73 || buf[s1 + 2] !== 0x74 || buf[s1 + 3] !== 0x64) return false;
  const isOut = buf[s1 + 4] === LOWER_O;
  if (isOut ? buf[s1 + 5] !== 0x75 || buf[s1 + 6] !== 0x74 : buf[s1 + 4] !== 0x65 || buf[s1 + 5] !== 0x72 || buf[s1 + 6] !== 0x72) return false;
  f.timeEnd = s1;
  f.stream = isOut ? 'stdout' : 'stderr';
  const tagStart = s1 + 8;
  if (tagStart + 1 >= end || buf[tagStart + 1] === SPACE) {
    // the common case: one tag letter
    f.partial = buf[tagStart] === P;
    f.contentStart = Math.min(tagStart + 2, end);
    return tagStart < end;
  }
  let s3 = buf.indexOf(SPACE, tagStart);
  if (s3 < 0 || s3 > end) s3 = end;
  f.partial = false;
  for (let i = tagStart; i < s3; i++) {
    if (buf[i] === P && (i === tagStart || buf[i - 1] === COLON) && (i + 1 === s3 || buf[i + 1] === COLON)) f.partial = true;
  }
  f.contentStart = Math.min(s3 + 1, end);
  return true;
}

const digit = (buf: Buffer, i: number): number => buf[i]! - 0x30;
const num2 = (buf: Buffer, i: number): number => digit(buf, i) * 10 + digit(buf, i + 1);

/**
 * Unix seconds of the RFC3339 time `buf[start, end)`, parsed in place (NaN when malformed).
 * Fractions past the microsecond are within a double's precision of the true instant.
 */
export function timeSecondsAt(buf: Buffer, start: number, end: number): number {
  if (end - start < 20 || buf[start + 4] !== 0x2d || buf[start + 10] !== 0x54) return NaN;
  const y = digit(buf, start) * 1000 + digit(buf, start + 1) * 100 + num2(buf, start + 2);
  const whole = Date.UTC(y, num2(buf, start + 5) - 1, num2(buf, start + 8), num2(buf, start + 11), num2(buf, start + 14), num2(buf, start + 17)) / 1000;
  let i = start + 19;
  let nanos = 0;
  if (buf[i] === 0x2e) {
    let digits = 0;
    for (i++; i < end && buf[i]! >= 0x30 && buf[i]! <= 0x39; i++) if (digits++ < 9) nanos = nanos * 10 + digit(buf, i);
    for (; digits < 9; digits++) nanos *= 10;
  }
  let offset = 0;
  const z = buf[i];
  if (z === 0x2b || z === 0x2d) {
    if (end - i < 6) return NaN;
    offset = (num2(buf, i + 1) * 3600 + num2(buf, i + 4) * 60) * (z === 0x2d ? -1 : 1);
  } else if (z !== 0x5a) return NaN;
  const s = whole - offset + nanos / 1e9;
  return Number.isFinite(s) ? s : NaN;
}

/**
 * Docker's RFC3339NanoFixed UTC text of the time `buf[start, end)`. conmon writes local
 * time with an offset; under UTC (berthd's usual zone) that is a copy with "Z".
 */
export function utcStampAt(buf: Buffer, start: number, end: number): string {
  if (end - start === 35 && buf[end - 6] === 0x2b && buf[end - 5] === 0x30 && buf[end - 4] === 0x30 && buf[end - 2] === 0x30 && buf[end - 1] === 0x30) {
    return buf.toString('latin1', start, end - 6) + 'Z';
  }
  return parseTime(buf.toString('latin1', start, end))?.time ?? buf.toString('latin1', start, end);
}

/** Parse one line (without its trailing "\n"); undefined when malformed. */
export function parseK8sLogLine(line: Buffer): K8sLogLine | undefined {
  const f = newLineFields();
  if (!scanLine(line, 0, line.length, f)) return undefined;
  const t = parseTime(line.toString('latin1', 0, f.timeEnd));
  if (!t) return undefined;
  return { ...t, stream: f.stream, partial: f.partial, content: line.subarray(f.contentStart) };
}

/** Parse an RFC3339 time with up to nanosecond fraction into UTC text and unix seconds. */
export function parseTime(text: string): { time: string; seconds: number } | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) return undefined;
  const whole = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(whole)) return undefined;
  const frac = (m[2] ?? '').padEnd(9, '0').slice(0, 9);
  const utc = isoTime(whole).slice(0, 19);
  return { time: `${utc}.${frac}Z`, seconds: whole / 1000 + Number(`0.${frac}`) };
}
