/** Docker's stdcopy stream ids. */
export const STREAM_ID = { stdin: 0, stdout: 1, stderr: 2, systemerr: 3 } as const;

export const MULTIPLEXED_STREAM = 'application/vnd.docker.multiplexed-stream';
export const RAW_STREAM = 'application/vnd.docker.raw-stream';

/**
 * One stdcopy frame: 8-byte header `[stream, 0, 0, 0, size BE32]` then the payload.
 *
 * @example frame('stdout', Buffer.from('hi\n')) // <01 00 00 00 00 00 00 03 68 69 0a>
 */
export function frame(stream: keyof typeof STREAM_ID, data: Buffer): Buffer {
  const out = Buffer.allocUnsafe(8 + data.length);
  out.writeUInt32BE(0, 0);
  out[0] = STREAM_ID[stream];
  out.writeUInt32BE(data.length, 4);
  data.copy(out, 8);
  return out;
}

/** What `encodeBatch` reads: chunks as ranges of source buffers (runtime's OutputBatch). */
export interface ChunkRanges {
  readonly length: number;
  readonly sources: readonly Buffer[];
  readonly source: readonly number[];
  readonly start: readonly number[];
  readonly end: readonly number[];
  /** 1 stdout, 2 stderr */
  readonly stream: readonly number[];
  readonly time: readonly string[];
}

/**
 * A batch of output chunks as one buffer for one socket write: raw for a TTY, otherwise
 * stdcopy frames, one per run of consecutive chunks of the same stream (a frame is just
 * bytes of one stream; clients join them). `timestamps` prefixes every chunk with its
 * time and a space, as dockerd's `timestamps=1`.
 */
export function encodeBatch(b: ChunkRanges, opts: { tty: boolean; timestamps: boolean }): Buffer {
  const framed = !opts.tty;
  const stamps = opts.timestamps;
  let size = 0;
  let prev = 0;
  for (let i = 0; i < b.length; i++) {
    if (framed && b.stream[i] !== prev) size += 8;
    prev = b.stream[i]!;
    size += b.end[i]! - b.start[i]! + (stamps ? b.time[i]!.length + 1 : 0);
  }
  const out = Buffer.allocUnsafe(size);
  let off = 0;
  let header = -1;
  prev = 0;
  for (let i = 0; i < b.length; i++) {
    const stream = b.stream[i]!;
    if (framed && stream !== prev) {
      if (header >= 0) out.writeUInt32BE(off - header - 8, header + 4);
      header = off;
      out.writeUInt32BE(0, off);
      out[off] = stream;
      off += 8;
    }
    prev = stream;
    if (stamps) {
      off += out.write(b.time[i]!, off, 'latin1');
      out[off++] = 0x20;
    }
    const src = b.sources[b.source[i]!]!;
    const from = b.start[i]!;
    const to = b.end[i]!;
    if (to - from > 48) off += src.copy(out, off, from, to);
    else for (let j = from; j < to; j++) out[off++] = src[j]!; // short lines: cheaper than a native call
  }
  if (header >= 0) out.writeUInt32BE(off - header - 8, header + 4);
  return out;
}

/** Splits a multiplexed byte stream back into frames (used by tests and clients). */
export function* deframe(buf: Buffer): Generator<{ stream: number; data: Buffer }> {
  let off = 0;
  while (off + 8 <= buf.length) {
    const size = buf.readUInt32BE(off + 4);
    if (off + 8 + size > buf.length) return;
    yield { stream: buf[off], data: buf.subarray(off + 8, off + 8 + size) };
    off += 8 + size;
  }
}
