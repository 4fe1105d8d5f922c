export type Chunk = Buffer | Uint8Array | string;
/** A request body, a stream, or chunks in memory. */
export type ChunkSource = AsyncIterable<Chunk> | Iterable<Chunk>;

/**
 * A byte stream that can be looked into before it is consumed: `peek(n)` buffers at least
 * `n` bytes (fewer at the end), `rest()` yields everything, peeked bytes first.
 *
 * @example const src = new ByteSource(req); const magic = await src.peek(2); for await (const b of src.rest()) ...
 */
export class ByteSource {
  private readonly it: AsyncIterator<Chunk> | Iterator<Chunk>;
  private buffered: Buffer[] = [];
  private have = 0;
  private ended = false;

  constructor(src: ChunkSource) {
    this.it = Symbol.asyncIterator in src ? src[Symbol.asyncIterator]() : src[Symbol.iterator]();
  }

  async peek(n: number): Promise<Buffer> {
    while (this.have < n && !this.ended) {
      const r = await this.it.next();
      if (r.done) this.ended = true;
      else {
        const b = toBuffer(r.value);
        this.buffered.push(b);
        this.have += b.length;
      }
    }
    if (this.buffered.length > 1) this.buffered = [Buffer.concat(this.buffered)];
    return this.buffered[0] ?? Buffer.alloc(0);
  }

  async *rest(): AsyncGenerator<Buffer> {
    const head = this.buffered;
    this.buffered = [];
    this.have = 0;
    yield* head;
    if (this.ended) return;
    for (;;) {
      const r = await this.it.next();
      if (r.done) return;
      yield toBuffer(r.value);
    }
  }
}

const toBuffer = (v: Chunk): Buffer =>
  Buffer.isBuffer(v) ? v : typeof v === 'string' ? Buffer.from(v) : Buffer.from(v.buffer, v.byteOffset, v.byteLength);

/** Whether a 512-byte block is a tar header (its checksum holds) or the all-zero end of an empty tar. */
export function isTarHeader(block: Buffer): boolean {
  if (block.length < 512) return false;
  let zero = true;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < 512; i++) {
    const v = i >= 148 && i < 156 ? 0x20 : block[i]!;
    if (block[i] !== 0) zero = false;
    unsigned += v;
    signed += v > 127 ? v - 256 : v;
  }
  if (zero) return true;
  const field = block.toString('latin1', 148, 156).replace(/\0.*$/s, '').trim();
  if (!/^[0-7]+$/.test(field)) return false;
  const stored = parseInt(field, 8);
  return stored === unsigned || stored === signed;
}
