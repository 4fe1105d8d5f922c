import { invalid } from '../shared/errors.js';
import { BLOCK, decodeHeader, isMetaFlag, isZeroBlock, TarMeta, type TarHeader } from './tar-header.js';

/** Where a regular file's body goes, slice by slice, as the bytes arrive. */
export interface BodySink {
  write(slice: Buffer): void;
  /** Every byte of the body was written. */
  end(): void;
}

/**
 * Called once per entry, in order, with its header (long names and PAX applied). For a
 * `file` (or `other`) entry a sink may be returned to receive the body; without one the
 * body is skipped.
 */
export type EntryHandler = (h: TarHeader) => BodySink | undefined;

const pad = (n: number): number => (BLOCK - (n % BLOCK)) % BLOCK;

const enum State {
  Header,
  Meta,
  Body,
  Skip,
  Done,
}

/**
 * A tar parser driven by pushes (ustar, GNU long names, PAX incl. binary `SCHILY.xattr.*`
 * values, base-256 numbers — the same format readTar reads). `push` handles every complete
 * entry in the chunk at once, synchronously: no promise per entry or per body slice, and
 * nothing of the chunk is kept afterwards (except a header or PAX record cut by the chunk
 * end, copied), so the caller may reuse its buffer as soon as `push` returns.
 * Used by the layer worker (layer-job.ts), where the per-entry await of readTar was a third
 * of the thread's time.
 */
export class TarPushParser {
  private state = State.Header;
  /** A header block or a meta record being collected across pushes. */
  private carry: Buffer = Buffer.allocUnsafe(BLOCK);
  private carried = 0;
  private need = BLOCK;
  /** Body bytes left (State.Body), bytes to skip (State.Skip). */
  private left = 0;
  /** Padding after the current body. */
  private padAfter = 0;
  private sink: BodySink | undefined;
  private meta: TarHeader | undefined;
  private readonly tarMeta = new TarMeta();

  constructor(private readonly onEntry: EntryHandler) {}

  /** True once the end-of-archive block was read (what follows is ignored). */
  get done(): boolean {
    return this.state === State.Done;
  }

  push(chunk: Buffer): void {
    let off = 0;
    const len = chunk.length;
    while (off < len) {
      switch (this.state) {
        case State.Done:
          return;
        case State.Body: {
          const n = Math.min(this.left, len - off);
          this.left -= n;
          const slice = chunk.subarray(off, off + n);
          off += n;
          this.sink?.write(slice);
          if (this.left === 0) this.endBody();
          break;
        }
        case State.Skip: {
          const n = Math.min(this.left, len - off);
          this.left -= n;
          off += n;
          if (this.left === 0) this.expectHeader();
          break;
        }
        case State.Header:
        case State.Meta: {
          // a whole header in the chunk: decode it in place, no copy
          if (this.carried === 0 && len - off >= this.need) {
            const rec = chunk.subarray(off, off + this.need);
            off += this.need;
            this.record(rec);
            break;
          }
          const n = Math.min(this.need - this.carried, len - off);
          chunk.copy(this.carry, this.carried, off, off + n);
          this.carried += n;
          off += n;
          if (this.carried === this.need) {
            const rec = this.carry.subarray(0, this.need);
            this.carried = 0;
            this.record(rec);
          }
          break;
        }
      }
    }
  }

  /** The input ended: anything but a clean end (or the end of a whole entry) is truncated. */
  end(): void {
    if (this.state === State.Done) return;
    if (this.state === State.Header && this.carried === 0) return; // no end blocks, as readTar allows
    throw invalid('unexpected EOF in tar archive');
  }

  private expectHeader(): void {
    this.state = State.Header;
    this.need = BLOCK;
  }

  private record(rec: Buffer): void {
    if (this.state === State.Meta) return this.metaRecord(rec);
    if (isZeroBlock(rec)) {
      this.state = State.Done;
      return;
    }
    let h: TarHeader;
    try {
      h = decodeHeader(rec);
    } catch (err) {
      throw invalid((err as Error).message);
    }
    const meta = h.typeflag;
    if (isMetaFlag(meta)) {
      this.meta = h;
      this.padAfter = pad(h.size);
      if (h.size === 0) return this.metaRecord(Buffer.alloc(0));
      this.state = State.Meta;
      this.need = h.size;
      if (this.carry.length < h.size) this.carry = Buffer.allocUnsafe(h.size);
      return;
    }
    this.tarMeta.apply(h);
    const size = h.type === 'file' || h.type === 'other' ? h.size : 0;
    this.sink = this.onEntry(h) ?? undefined;
    this.left = size;
    this.padAfter = pad(size);
    this.state = State.Body;
    if (size === 0) this.endBody();
  }

  private metaRecord(data: Buffer): void {
    const h = this.meta!;
    this.meta = undefined;
    const kind = h.typeflag;
    if (isMetaFlag(kind)) this.tarMeta.record(kind, Buffer.from(data));
    this.skipPadding();
  }

  private endBody(): void {
    const sink = this.sink;
    this.sink = undefined;
    sink?.end();
    this.skipPadding();
  }

  private skipPadding(): void {
    if (this.padAfter === 0) return this.expectHeader();
    this.state = State.Skip;
    this.left = this.padAfter;
    this.padAfter = 0;
  }
}
