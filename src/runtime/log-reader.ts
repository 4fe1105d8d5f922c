import { watch, fstatSync, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { OutputBatch, type LogsOptions, type OutputChunk } from './log-types.js';
import { newLineFields, scanLine, timeSecondsAt, utcStampAt } from './k8s-log-line.js';
import { closeSegments, inodeOf, openSegments, openSuccessor, readAt, type LogSegment } from './log-files.js';
import { sincePosition, tailPosition, type LogPosition } from './log-seek.js';

/** Stops a follow: when `until` settles the reader drains the files to their end and finishes. */
export interface ReadLogControl {
  until?: Promise<void>;
}

/** Bytes read per block; every chunk of a batch is a view into its block (no copies). */
const BLOCK = 1 << 20;
/** A follower re-checks this often even without a file event (a missed inotify event). */
const IDLE_CHECK_MS = 1000;
const NL = 0x0a;

/**
 * Read a container's log (conmon's k8s-file, with its rotated files) as Docker shows it,
 * in batches: each batch is the chunks of one block read, in order. Partial (P) pieces are
 * joined, a final (F) piece ends the chunk with "\n". `tail` reads backwards from the end,
 * `since` binary-searches the line times, `until` stops at the first later line; `follow`
 * keeps reading (woken by fs.watch, draining as fast as the file grows, across rotations,
 * no line lost or repeated) until `control.until` settles, then drains to the end.
 * Chunk `time` is filled only when `opts.timestamps` asks for it. A missing log is empty.
 *
 * @example
 *   for await (const batch of readLogBatches(path, { tail: 10, follow: true }, { until: exited })) send(batch);
 */
export async function* readLogBatches(logPath: string, opts: LogsOptions, control: ReadLogControl = {}): AsyncIterable<OutputBatch> {
  const want = streamFilter(opts);
  const tail = opts.tail === undefined || opts.tail === 'all' || opts.tail < 0 ? undefined : opts.tail;
  const parser = new ChunkParser(want, opts);
  let stopped = false;
  void control.until?.then(() => (stopped = true), () => (stopped = true));
  const segs = openSegments(logPath);
  let watcher: ChangeWatcher | undefined;
  try {
    // Existing content, from where tail/since say.
    let at: LogPosition = { seg: 0, offset: 0 };
    if (tail !== undefined) at = tailPosition(segs, tail, (s) => want.has(s));
    if (opts.since && opts.since > 0) {
      const s = sincePosition(segs, opts.since);
      if (s.seg > at.seg || (s.seg === at.seg && s.offset > at.offset)) at = s;
    }
    if (opts.follow) watcher = new ChangeWatcher(logPath, control);
    const kept = new OutputBatch();
    let pos = at.offset;
    for (let s = at.seg; s < segs.length; s++) {
      const seg = segs[s]!;
      if (s > at.seg) pos = 0;
      for (;;) {
        const r = parser.read(seg.fd, pos, seg.size);
        pos = r.pos;
        if (r.chunks.length) {
          if (tail !== undefined) kept.append(r.chunks);
          else yield r.chunks;
        }
        if (r.done || parser.pastUntil) break;
      }
      if (parser.pastUntil) break;
    }
    // Without follow, a last line that never ended is shown as it is (Docker's partial entry).
    const unended = opts.follow ? undefined : parser.flush();
    if (unended?.length) {
      if (tail !== undefined) kept.append(unended);
      else yield unended;
    }
    if (tail !== undefined && tail > 0 && kept.length) yield kept.length > tail ? kept.last(tail) : kept;
    if (!opts.follow || parser.pastUntil) return;

    // Follow the newest file; the others are final.
    // (pos is in the newest file, unless the start was past every file)
    if (at.seg >= segs.length) pos = segs.length ? segs[segs.length - 1]!.size : 0;
    let cur = segs.pop();
    closeSegments(segs);
    segs.length = 0;
    if (cur) segs.push(cur);
    for (;;) {
      const wasStopped = stopped;
      watcher!.clear();
      if (!cur) {
        cur = openSuccessor(logPath, -1);
        if (cur) segs.push(cur);
      }
      if (cur) {
        // Drain what is there now, block after block, without waiting in between.
        for (;;) {
          const size = fstatSync(cur.fd).size;
          if (size < pos) pos = 0; // truncated in place
          const r = parser.read(cur.fd, pos, size);
          pos = r.pos;
          if (r.chunks.length) yield r.chunks;
          if (r.done || parser.pastUntil) break;
        }
        if (parser.pastUntil) return;
        // A newer file exists once conmon reopened: this one is final, finish it and move on.
        const live = inodeOf(logPath);
        if (live !== undefined && live !== cur.ino) {
          for (;;) {
            const r = parser.read(cur.fd, pos, fstatSync(cur.fd).size);
            pos = r.pos;
            if (r.chunks.length) yield r.chunks;
            if (r.done || parser.pastUntil) break;
          }
          const next = openSuccessor(logPath, cur.ino);
          closeSegments(segs);
          segs.length = 0;
          cur = next;
          pos = 0;
          if (cur) segs.push(cur);
          continue;
        }
      }
      if (wasStopped || parser.pastUntil) {
        const rest = parser.flush();
        if (rest.length && !parser.pastUntil) yield rest;
        return;
      }
      await watcher!.wait();
    }
  } finally {
    watcher?.close();
    closeSegments(segs);
  }
}

/** Chunk by chunk (the batches flattened). */
export async function* readLog(logPath: string, opts: LogsOptions, control: ReadLogControl = {}): AsyncIterable<OutputChunk> {
  for await (const batch of readLogBatches(logPath, opts, control)) yield* batch;
}

function streamFilter(opts: LogsOptions): Set<'stdout' | 'stderr'> {
  if (opts.stdout === undefined && opts.stderr === undefined) return new Set(['stdout', 'stderr']);
  const s = new Set<'stdout' | 'stderr'>();
  if (opts.stdout) s.add('stdout');
  if (opts.stderr) s.add('stderr');
  return s;
}

interface Pending {
  time: string;
  parts: Buffer[];
}

const STREAM_ID = { stdout: 1, stderr: 2 } as const;

/**
 * Turns whole lines of a block into a batch: joins P pieces per stream (across blocks and
 * files), filters by stream and time. An F line's content plus the "\n" after it in the
 * file is exactly the chunk, so a chunk is a range of the block (no copy, no object).
 */
class ChunkParser {
  private pending: Record<'stdout' | 'stderr', Pending | undefined> = { stdout: undefined, stderr: undefined };
  private readonly f = newLineFields();
  private readonly since: number;
  private readonly until: number;
  private readonly stamps: boolean;
  private readonly wantOut: boolean;
  private readonly wantErr: boolean;
  pastUntil = false;

  constructor(want: Set<'stdout' | 'stderr'>, opts: LogsOptions) {
    this.since = opts.since && opts.since > 0 ? opts.since : 0;
    this.until = opts.until && opts.until > 0 ? opts.until : 0;
    this.stamps = Boolean(opts.timestamps);
    this.wantOut = want.has('stdout');
    this.wantErr = want.has('stderr');
  }

  /** The P pieces no F line ended (the writer stopped mid-line), as chunks without "\n". */
  flush(): OutputBatch {
    const out = new OutputBatch();
    for (const stream of ['stdout', 'stderr'] as const) {
      const p = this.pending[stream];
      this.pending[stream] = undefined;
      if (!p || !(stream === 'stdout' ? this.wantOut : this.wantErr)) continue;
      const data = Buffer.concat(p.parts);
      out.add(out.addSource(data), 0, data.length, STREAM_ID[stream], this.stamps ? p.time : undefined);
    }
    return out;
  }

  /**
   * Parse the whole lines in `[from, to)` of `fd`, at most one block; `pos` is where the
   * unparsed rest starts (an unterminated last line is left for later), `done` when no
   * further whole line is there.
   */
  read(fd: number, from: number, to: number): { chunks: OutputBatch; pos: number; done: boolean } {
    const batch = new OutputBatch();
    if (from >= to) return { chunks: batch, pos: from, done: true };
    let len = Math.min(BLOCK, to - from);
    let block = Buffer.allocUnsafe(len);
    let n = readAt(fd, block, from);
    let last = block.subarray(0, n).lastIndexOf(NL);
    // One line longer than a block: grow until it ends.
    while (last < 0 && from + n < to) {
      len = Math.min(len * 2, to - from);
      const bigger = Buffer.allocUnsafe(len);
      block.copy(bigger, 0, 0, n);
      block = bigger;
      n += readAt(fd, block.subarray(n), from + n);
      last = block.subarray(0, n).lastIndexOf(NL);
    }
    if (last < 0) return { chunks: batch, pos: from, done: true };
    this.parse(block, last + 1, batch);
    const pos = from + last + 1;
    return { chunks: batch, pos, done: pos >= to || n < len };
  }

  private parse(buf: Buffer, end: number, out: OutputBatch): void {
    const f = this.f;
    const { since, until, stamps, wantOut, wantErr } = this;
    const src = out.addSource(buf);
    for (let start = 0; start < end; ) {
      const nl = buf.indexOf(NL, start);
      const lineEnd = nl < 0 || nl >= end ? end : nl;
      const next = lineEnd + 1;
      if (!scanLine(buf, start, lineEnd, f)) {
        start = next;
        continue;
      }
      if (until > 0 && timeSecondsAt(buf, start, f.timeEnd) > until) {
        this.pastUntil = true;
        break;
      }
      const stream = f.stream;
      const pending = this.pending[stream];
      if (f.partial) {
        const p = pending ?? { time: stamps ? utcStampAt(buf, start, f.timeEnd) : '', parts: [] };
        p.parts.push(buf.subarray(f.contentStart, lineEnd));
        this.pending[stream] = p;
        start = next;
        continue;
      }
      if (pending) this.pending[stream] = undefined;
      if (!(stream === 'stdout' ? wantOut : wantErr) || (since > 0 && timeSecondsAt(buf, start, f.timeEnd) < since)) {
        start = next;
        continue;
      }
      // The content and the "\n" after it (an F line without content: just the "\n").
      const contentStart = f.contentStart < lineEnd ? f.contentStart : lineEnd;
      if (pending) {
        const joined = Buffer.concat([...pending.parts, buf.subarray(contentStart, next)]);
        out.add(out.addSource(joined), 0, joined.length, STREAM_ID[stream], stamps ? pending.time : undefined);
      } else {
        out.add(src, contentStart, next, STREAM_ID[stream], stamps ? utcStampAt(buf, start, f.timeEnd) : undefined);
      }
      start = next;
    }
  }
}

/** Wakes a follower when anything in the log's directory named like the log changes. */
class ChangeWatcher {
  private watcher: FSWatcher | undefined;
  private dirty = false;
  private wake: (() => void) | undefined;

  constructor(logPath: string, control: ReadLogControl) {
    control.until?.then(() => this.signal(), () => this.signal());
    const name = basename(logPath);
    try {
      this.watcher = watch(dirname(logPath), { persistent: false }, (_event, file) => {
        if (file === null || String(file).startsWith(name)) this.signal();
      });
      this.watcher.on('error', () => this.signal());
    } catch {
      // polling only
    }
  }

  private signal(): void {
    this.dirty = true;
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  clear(): void {
    this.dirty = false;
  }

  wait(): Promise<void> {
    if (this.dirty) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.watcher ? IDLE_CHECK_MS : 100);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  close(): void {
    this.watcher?.close();
    this.wake?.();
  }
}
