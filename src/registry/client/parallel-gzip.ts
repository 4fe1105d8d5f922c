import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';

/** Uncompressed bytes per independently compressed block (fixed: the output depends on it). */
export const GZIP_BLOCK = 1 << 20;
const WINDOW = 32 * 1024;
/** gzip header: magic, deflate, no flags, mtime 0, xfl 0, OS unix (what node's createGzip writes). */
const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03]);
/** A final, empty fixed-Huffman deflate block (what Z_FINISH on no input writes). */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

function deflateBlock(block: Buffer, dictionary: Buffer | undefined, level: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const opts: zlib.ZlibOptions = { level, finishFlush: zlib.constants.Z_SYNC_FLUSH, ...(dictionary ? { dictionary } : {}) };
    zlib.deflateRaw(block, opts, (err, out) => (err ? reject(err) : resolve(out)));
  });
}

/** Re-chunks a byte stream into blocks of exactly `size` bytes (the last may be shorter). */
async function* blocksOf(src: AsyncIterable<Buffer | string> | Iterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let have = 0;
  for await (const c of src) {
    let chunk = typeof c === 'string' ? Buffer.from(c) : c;
    while (have + chunk.length >= size) {
      const take = size - have;
      parts.push(chunk.subarray(0, take));
      yield parts.length === 1 ? parts[0]! : Buffer.concat(parts, size);
      chunk = chunk.subarray(take);
      parts = [];
      have = 0;
    }
    if (chunk.length) {
      parts.push(chunk);
      have += chunk.length;
    }
  }
  if (have) yield Buffer.concat(parts, have);
}

async function* gzipBlocks(src: AsyncIterable<Buffer | string> | Iterable<Buffer>, level: number, parallel: number): AsyncGenerator<Buffer> {
  yield HEADER;
  let crc = 0;
  let total = 0;
  let prevTail: Buffer | undefined;
  const pending: Promise<Buffer>[] = [];
  for await (const block of blocksOf(src, GZIP_BLOCK)) {
    crc = zlib.crc32(block, crc);
    total += block.length;
    const p = deflateBlock(block, prevTail, level);
    p.catch(() => undefined); // awaited in order below; avoid an unhandled rejection meanwhile
    pending.push(p);
    prevTail = Buffer.from(block.subarray(Math.max(0, block.length - WINDOW)));
    if (pending.length >= parallel) yield await pending.shift()!;
  }
  while (pending.length) yield await pending.shift()!;
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(total % 0x1_0000_0000, 4);
  yield Buffer.concat([FINAL_BLOCK, trailer]);
}

/**
 * gzip (one standard member) compressed on several libuv threads at once, pigz-style: the
 * input is cut into fixed 1 MiB blocks, each deflated with the previous block's last 32 KiB
 * as dictionary and ended by a sync flush; a final empty block and the CRC32/ISIZE trailer
 * close the stream. Output is deterministic for a given input and level.
 *
 * @example
 *   const gz = parallelGzip(fs.createReadStream('layer.tar', { highWaterMark: 1 << 20 }));
 */
export function parallelGzip(src: AsyncIterable<Buffer | string> | Iterable<Buffer>, opts: { level?: number; parallel?: number } = {}): Readable {
  return Readable.from(gzipBlocks(src, opts.level ?? 6, Math.max(1, opts.parallel ?? 3)), { objectMode: false, highWaterMark: 1 << 20 });
}
