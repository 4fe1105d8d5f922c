import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { invalid } from '../shared/errors.js';
import { BLOCK, decodeHeader, isMetaFlag, isZeroBlock, TarMeta, type TarHeader } from './tar-header.js';

/** One entry: its header and its body, which must be consumed (or is skipped) before the next entry. */
export interface TarEntry {
  header: TarHeader;
  body(): AsyncIterable<Buffer>;
}

/** Byte count and sha256 of everything read from the source, valid once iteration is done. */
export interface TarStats {
  size: number;
  digest(): `sha256:${string}`;
}

/** Pulls exact byte counts out of a stream, hashing every byte it sees when asked to. */
class ByteSource {
  private readonly it: AsyncIterator<Buffer | string>;
  private pending: Buffer | null = null;
  readonly hash: Hash | undefined;
  total = 0;

  constructor(src: AsyncIterable<Buffer | string>, hashed: boolean) {
    this.it = src[Symbol.asyncIterator]();
    this.hash = hashed ? createHash('sha256') : undefined;
  }

  async chunk(): Promise<Buffer | null> {
    if (this.pending) {
      const b = this.pending;
      this.pending = null;
      return b;
    }
    const r = await this.it.next();
    if (r.done) return null;
    const b = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
    this.hash?.update(b);
    this.total += b.length;
    return b;
  }

  unshift(b: Buffer): void {
    if (b.length) this.pending = b;
  }

  /** Exactly n bytes, or fewer at end of stream. */
  async read(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let have = 0;
    while (have < n) {
      const c = await this.chunk();
      if (!c) break;
      const take = Math.min(c.length, n - have);
      parts.push(take === c.length ? c : c.subarray(0, take));
      if (take < c.length) this.unshift(c.subarray(take));
      have += take;
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, have);
  }

  async *slices(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      const c = await this.chunk();
      if (!c) throw invalid('unexpected EOF in tar archive');
      if (c.length > left) {
        this.unshift(c.subarray(left));
        yield c.subarray(0, left);
        return;
      }
      left -= c.length;
      yield c;
    }
  }

  async skip(n: number): Promise<void> {
    for await (const _ of this.slices(n)) void _;
  }

  async drain(): Promise<void> {
    this.pending = null;
    while (await this.chunk()) {
      /* hash the trailing padding too */
    }
  }
}

const pad = (n: number): number => (BLOCK - (n % BLOCK)) % BLOCK;

/**
 * Streaming tar parser (ustar, GNU long names, PAX incl. binary `SCHILY.xattr.*` values,
 * base-256 numbers). Yields entries in order; the whole input (end blocks and padding
 * included) is hashed, so `stats.digest()` is the layer's DiffID once iteration ends.
 *
 * @example
 *   const stats = { size: 0, digest: () => '' as Digest };
 *   for await (const e of readTar(stream, stats)) for await (const c of e.body()) ...
 */
export async function* readTar(src: Readable | AsyncIterable<Buffer | string>, stats?: TarStats): AsyncGenerator<TarEntry> {
  const bytes = new ByteSource(src as AsyncIterable<Buffer>, stats !== undefined);
  const meta = new TarMeta();
  for (;;) {
    const block = await bytes.read(BLOCK);
    if (block.length === 0) break;
    if (block.length < BLOCK) throw invalid('unexpected EOF in tar archive');
    if (isZeroBlock(block)) break;
    let h: TarHeader;
    try {
      h = decodeHeader(block);
    } catch (err) {
      throw invalid((err as Error).message);
    }
    const flag = h.typeflag;
    if (isMetaFlag(flag)) {
      const data = await bytes.read(h.size);
      if (data.length < h.size) throw invalid('unexpected EOF in tar archive');
      await bytes.skip(pad(h.size));
      meta.record(flag, data);
      continue;
    }
    meta.apply(h);
    const size = h.type === 'file' || h.type === 'other' ? h.size : 0;
    let left = size;
    const entry: TarEntry = {
      header: h,
      async *body() {
        for await (const c of bytes.slices(left)) {
          left -= c.length;
          yield c;
        }
      },
    };
    yield entry;
    if (left > 0) await bytes.skip(left);
    await bytes.skip(pad(size));
  }
  await bytes.drain();
  if (stats) {
    stats.size = bytes.total;
    const hex = bytes.hash!.digest('hex');
    stats.digest = () => `sha256:${hex}`;
  }
}
