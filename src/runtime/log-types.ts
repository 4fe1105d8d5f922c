/** Container output and log-read options: recorded by the monitor (conmon), read by runtime/log-reader, served by containers. */

/** One chunk of container output, as recorded by the monitor. */
export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  data: Buffer;
  /** RFC3339Nano time the monitor recorded. */
  time: string;
}

export interface LogsOptions {
  follow?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  since?: number; // unix seconds (fractional allowed)
  until?: number;
  timestamps?: boolean;
  tail?: number | 'all';
}

/**
 * Chunks of a log in order, stored as ranges of a few source buffers (one object per
 * batch, not per line: reading 100k lines allocates a handful of objects). Chunk i is
 * `sources[source[i]].subarray(start[i], end[i])` on stream `stream[i]` (1 stdout,
 * 2 stderr, Docker's stdcopy ids), recorded at `time[i]` when times were asked for.
 */
export class OutputBatch implements Iterable<OutputChunk> {
  readonly sources: Buffer[] = [];
  readonly source: number[] = [];
  readonly start: number[] = [];
  readonly end: number[] = [];
  readonly stream: number[] = [];
  readonly time: string[] = [];

  get length(): number {
    return this.start.length;
  }

  /** A batch of ready-made chunks (fakes, tests). */
  static of(chunks: Iterable<OutputChunk>): OutputBatch {
    const b = new OutputBatch();
    for (const c of chunks) b.add(b.addSource(c.data), 0, c.data.length, c.stream === 'stderr' ? 2 : 1, c.time);
    return b;
  }

  /** Register a source buffer; returns its index for `add`. */
  addSource(buf: Buffer): number {
    this.sources.push(buf);
    return this.sources.length - 1;
  }

  add(source: number, start: number, end: number, stream: 1 | 2, time?: string): void {
    this.source.push(source);
    this.start.push(start);
    this.end.push(end);
    this.stream.push(stream);
    if (time !== undefined) this.time.push(time);
  }

  /** Total payload bytes. */
  bytes(): number {
    let n = 0;
    for (let i = 0; i < this.start.length; i++) n += this.end[i]! - this.start[i]!;
    return n;
  }

  /** The last `n` chunks (a new batch over the same sources). */
  last(n: number): OutputBatch {
    const from = Math.max(0, this.length - n);
    const b = new OutputBatch();
    for (const src of this.sources) b.sources.push(src);
    for (let i = from; i < this.length; i++) {
      b.source.push(this.source[i]!);
      b.start.push(this.start[i]!);
      b.end.push(this.end[i]!);
      b.stream.push(this.stream[i]!);
      if (this.time.length) b.time.push(this.time[i]!);
    }
    return b;
  }

  /** Append another batch's chunks. */
  append(other: OutputBatch): void {
    const base = this.sources.length;
    for (const src of other.sources) this.sources.push(src);
    for (let i = 0; i < other.length; i++) {
      this.source.push(other.source[i]! + base);
      this.start.push(other.start[i]!);
      this.end.push(other.end[i]!);
      this.stream.push(other.stream[i]!);
    }
    for (const t of other.time) this.time.push(t);
  }

  chunk(i: number): OutputChunk {
    return {
      stream: this.stream[i] === 2 ? 'stderr' : 'stdout',
      data: this.sources[this.source[i]!]!.subarray(this.start[i], this.end[i]),
      time: this.time[i] ?? '',
    };
  }

  *[Symbol.iterator](): Iterator<OutputChunk> {
    for (let i = 0; i < this.length; i++) yield this.chunk(i);
  }
}
