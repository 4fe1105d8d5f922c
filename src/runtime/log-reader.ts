import { closeSync, openSync, readSync, statSync, watch } from 'node:fs';
import type { LogsOptions, OutputChunk } from './log-types.js';
import { parseK8sLogLine, type K8sLogLine } from './k8s-log-line.js';

/** Stops a follow: when `until` settles the reader drains the file to its end and finishes. */
export interface ReadLogControl {
  until?: Promise<void>;
}

const BLOCK = 64 * 1024;
const POLL_MS = 250;
const NL = 0x0a;

/**
 * Read a conmon k8s-file log as Docker would show it: partial (P) pieces are joined, a final (F)
 * piece ends the chunk with "\n". `tail` reads backwards from the end (the whole file is never
 * loaded), `since`/`until` filter by time, `follow` keeps reading new lines until
 * `control.until` settles, then drains to EOF. A missing file is an empty log.
 *
 * @example
 *   for await (const c of readLog(path, { stdout: true, tail: 10, follow: true }, { until: exited })) res.write(c.data);
 */
export async function* readLog(logPath: string, opts: LogsOptions, control: ReadLogControl = {}): AsyncIterable<OutputChunk> {
  const want = streamFilter(opts);
  const tail = opts.tail === undefined || opts.tail === 'all' || opts.tail < 0 ? undefined : opts.tail;
  const assembler = new Assembler(want, opts);
  let fd: number;
  try {
    fd = openSync(logPath, 'r');
  } catch {
    if (!opts.follow) return;
    fd = await waitForFile(logPath, control);
    if (fd < 0) return;
  }
  try {
    const size = statSync(logPath).size;
    let pos = tail === undefined ? 0 : tailStart(fd, size, tail, want);
    const reader = new LineReader(fd);
    // Existing content (kept to the last `tail` chunks).
    const first = reader.readUntil(pos, size);
    pos = first.pos;
    let initial = assembler.feed(first.lines);
    if (tail !== undefined) initial = tail === 0 ? [] : initial.slice(-tail);
    for (const c of initial) yield c;
    if (!opts.follow || assembler.pastUntil) return;

    let stopped = false;
    void control.until?.then(() => (stopped = true), () => (stopped = true));
    for (;;) {
      const wasStopped = stopped;
      const end = fileSize(logPath);
      if (end < pos) pos = 0; // truncated/rotated
      const next = reader.readUntil(pos, end);
      pos = next.pos;
      for (const c of assembler.feed(next.lines)) yield c;
      if (wasStopped || assembler.pastUntil) return;
      await waitForChange(logPath, control);
    }
  } finally {
    closeSync(fd);
  }
}

function streamFilter(opts: LogsOptions): Set<'stdout' | 'stderr'> {
  if (opts.stdout === undefined && opts.stderr === undefined) return new Set(['stdout', 'stderr']);
  const s = new Set<'stdout' | 'stderr'>();
  if (opts.stdout) s.add('stdout');
  if (opts.stderr) s.add('stderr');
  return s;
}

/** Joins P pieces per stream and applies stream/since/until filters. */
class Assembler {
  private pending: Record<'stdout' | 'stderr', { time: string; parts: Buffer[] } | undefined> = { stdout: undefined, stderr: undefined };
  pastUntil = false;
  constructor(private readonly want: Set<'stdout' | 'stderr'>, private readonly opts: LogsOptions) {}

  feed(lines: K8sLogLine[]): OutputChunk[] {
    const out: OutputChunk[] = [];
    for (const l of lines) {
      if (this.opts.until && this.opts.until > 0 && l.seconds > this.opts.until) {
        this.pastUntil = true;
        break;
      }
      const p = this.pending[l.stream] ?? { time: l.time, parts: [] };
      p.parts.push(l.content);
      if (l.partial) {
        this.pending[l.stream] = p;
        continue;
      }
      this.pending[l.stream] = undefined;
      if (!this.want.has(l.stream)) continue;
      if (this.opts.since && this.opts.since > 0 && l.seconds < this.opts.since) continue;
      p.parts.push(Buffer.from('\n'));
      out.push({ stream: l.stream, data: Buffer.concat(p.parts), time: p.time });
    }
    return out;
  }
}

/** Reads whole lines from an fd between offsets; an unterminated last line is left for later. */
class LineReader {
  private buf = Buffer.alloc(BLOCK);
  constructor(private readonly fd: number) {}

  readUntil(from: number, to: number): { lines: K8sLogLine[]; pos: number } {
    const lines: K8sLogLine[] = [];
    let pos = from;
    let carry: Buffer = Buffer.alloc(0);
    let lineStart = from;
    while (pos < to) {
      const n = readSync(this.fd, this.buf, 0, Math.min(BLOCK, to - pos), pos);
      if (n <= 0) break;
      pos += n;
      const data: Buffer = carry.length ? Buffer.concat([carry, this.buf.subarray(0, n)]) : this.buf.subarray(0, n);
      let start = 0;
      for (let i = data.indexOf(NL); i >= 0; i = data.indexOf(NL, start)) {
        const parsed = parseK8sLogLine(data.subarray(start, i));
        if (parsed) lines.push({ ...parsed, content: Buffer.from(parsed.content) });
        lineStart += i + 1 - start;
        start = i + 1;
      }
      carry = Buffer.from(data.subarray(start));
    }
    return { lines, pos: lineStart };
  }
}

/**
 * Offset to start reading so at least `n` complete chunks of the wanted streams follow,
 * reading backwards block by block. It then backs up past P pieces to the end of an F line
 * so the first chunk is whole.
 */
function tailStart(fd: number, size: number, n: number, want: Set<'stdout' | 'stderr'>): number {
  if (n <= 0) return size;
  let count = 0;
  let found = false;
  for (const { start, line } of linesBackward(fd, size)) {
    const parsed = parseK8sLogLine(line);
    if (!parsed || parsed.partial) continue;
    if (found) return start + line.length + 1; // just after this F line
    if (want.has(parsed.stream) && ++count >= n) found = true;
  }
  return 0;
}

/** Lines of the file from last to first, with their start offsets, one block in memory at a time. */
function* linesBackward(fd: number, size: number): Generator<{ start: number; line: Buffer }> {
  let buffer: Buffer = Buffer.alloc(0);
  let bufStart = size;
  let lineEnd = size;
  const probe = Buffer.alloc(1);
  if (size > 0 && readSync(fd, probe, 0, 1, size - 1) === 1 && probe[0] === NL) lineEnd = size - 1;
  for (;;) {
    const rel = lineEnd - bufStart;
    const i = rel > 0 ? buffer.lastIndexOf(NL, rel - 1) : -1;
    if (i >= 0) {
      yield { start: bufStart + i + 1, line: buffer.subarray(i + 1, rel) };
      lineEnd = bufStart + i;
      continue;
    }
    if (bufStart === 0) {
      if (lineEnd > 0) yield { start: 0, line: buffer.subarray(0, lineEnd) };
      return;
    }
    const newStart = Math.max(0, bufStart - BLOCK);
    const block = Buffer.alloc(bufStart - newStart);
    readSync(fd, block, 0, block.length, newStart);
    buffer = Buffer.concat([block, buffer.subarray(0, lineEnd - bufStart)]);
    bufStart = newStart;
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function waitForChange(path: string, control: ReadLogControl): Promise<void> {
  return new Promise((resolve) => {
    let watcher: ReturnType<typeof watch> | undefined;
    const done = (): void => {
      clearTimeout(timer);
      watcher?.close();
      resolve();
    };
    const timer = setTimeout(done, POLL_MS);
    try {
      watcher = watch(path, done);
      watcher.on('error', done);
    } catch {
      // polling only
    }
    control.until?.then(done, done);
  });
}

async function waitForFile(path: string, control: ReadLogControl): Promise<number> {
  let stopped = false;
  void control.until?.then(() => (stopped = true), () => (stopped = true));
  for (;;) {
    try {
      return openSync(path, 'r');
    } catch {
      if (stopped) return -1;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }
}
