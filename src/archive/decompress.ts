import { Readable, pipeline } from 'node:stream';
import * as zlib from 'node:zlib';
import { invalid } from '../shared/errors.js';

/** Output chunk size of the gzip decoder. */
const DECOMPRESS_CHUNK = 1 << 18;

/** Compression of a stream, judged by its magic bytes. */
export type Compression = 'none' | 'gzip' | 'zstd' | 'bzip2' | 'xz';

export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  if (head.length >= 3 && head.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  if (head.length >= 6 && head.toString('latin1', 0, 6) === '\xfd7zXZ\0') return 'xz';
  return 'none';
}

/** Read at least `n` bytes (fewer at end), then put them back. */
function peek(src: Readable, n: number): Promise<{ head: Buffer; ended: boolean }> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let have = 0;
    const finish = (ended: boolean): void => {
      src.off('readable', onReadable);
      src.off('end', onEnd);
      src.off('error', onError);
      const head = Buffer.concat(parts);
      if (!ended && head.length) src.unshift(head);
      resolve({ head, ended });
    };
    const onReadable = (): void => {
      let c: Buffer | string | null;
      while (have < n && (c = src.read()) !== null) {
        const b = typeof c === 'string' ? Buffer.from(c) : c;
        parts.push(b);
        have += b.length;
      }
      if (have >= n) finish(false);
    };
    const onEnd = (): void => finish(true);
    const onError = (err: Error): void => {
      src.off('readable', onReadable);
      src.off('end', onEnd);
      reject(err);
    };
    src.on('readable', onReadable);
    src.on('end', onEnd);
    src.once('error', onError);
  });
}

function zstdDecoder(): zlib.Gunzip | undefined {
  const make = (zlib as unknown as { createZstdDecompress?: () => zlib.Gunzip }).createZstdDecompress;
  return make ? make() : undefined;
}

/**
 * Sniff gzip / zstd / plain and return a plain (tar) stream. bzip2/xz, and zstd on Node
 * builds without a zstd decoder, are rejected with invalid-argument.
 *
 * @example const tar = await decompress(fs.createReadStream('layer.tar.gz'));
 */
export async function decompress(src: Readable): Promise<Readable> {
  const { head, ended } = await peek(src, 6);
  const kind = detectCompression(head);
  const input = ended ? Readable.from(head.length ? [head] : []) : src;
  if (kind === 'none') return input;
  let decoder: zlib.Gunzip | undefined;
  // 256 KiB output chunks: with the 16 KiB default, per-chunk overhead (tar parsing, one
  // write(2) per chunk) makes unpacking big layers ~3x slower
  if (kind === 'gzip') decoder = zlib.createGunzip({ chunkSize: DECOMPRESS_CHUNK });
  else if (kind === 'zstd') {
    decoder = zstdDecoder();
    if (!decoder) throw invalid(`unsupported compression format zstd: this Node.js (${process.version}) has no zstd decoder`);
  } else throw invalid(`unsupported compression format ${kind}`);
  pipeline(input, decoder, () => undefined);
  return decoder;
}
