import { invalid } from '../../shared/errors.js';
import { BLOCK, decodeHeader, isMetaFlag, isZeroBlock, TarMeta, type TarHeader } from '../../archive/tar-header.js';

/** What the scanner reports, in stream order: an entry's header, its body bytes, its end. */
export interface TarScanSink {
  entry(h: TarHeader): void;
  data(chunk: Buffer): void;
  end(): void;
}

type State =
  | { kind: 'header' }
  | { kind: 'meta'; flag: string; size: number }
  | { kind: 'body'; left: number; pad: number }
  | { kind: 'skip'; left: number }
  | { kind: 'done' };

const padOf = (n: number): number => (BLOCK - (n % BLOCK)) % BLOCK;

/**
 * A push parser for a plain tar stream (ustar, GNU long names, PAX): `push` each chunk as
 * it arrives, and the sink hears every entry synchronously, its body as slices of the
 * chunks (no copies, no per-entry promises). Body slices are only valid for the sink to
 * keep or hand on, never to be modified. `finish` checks the stream did not stop mid-entry.
 *
 * @example const scan = new TarScan(sink); for await (const c of src) scan.push(c); scan.finish();
 */
export class TarScan {
  private state: State = { kind: 'header' };
  private readonly block = Buffer.alloc(BLOCK);
  private filled = 0;
  private meta: Buffer[] = [];
  private metaHave = 0;
  private readonly tarMeta = new TarMeta();

  constructor(private readonly sink: TarScanSink) {}

  push(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      const st = this.state;
      if (st.kind === 'done') return;
      if (st.kind === 'header') {
        const n = Math.min(BLOCK - this.filled, chunk.length - off);
        chunk.copy(this.block, this.filled, off, off + n);
        this.filled += n;
        off += n;
        if (this.filled === BLOCK) {
          this.filled = 0;
          this.header();
        }
      } else if (st.kind === 'meta') {
        const n = Math.min(st.size - this.metaHave, chunk.length - off);
        this.meta.push(chunk.subarray(off, off + n));
        this.metaHave += n;
        off += n;
        if (this.metaHave === st.size) this.metaDone(st.flag, st.size);
      } else if (st.kind === 'body') {
        const n = Math.min(st.left, chunk.length - off);
        if (n > 0) this.sink.data(chunk.subarray(off, off + n));
        st.left -= n;
        off += n;
        if (st.left === 0) {
          this.sink.end();
          this.state = st.pad ? { kind: 'skip', left: st.pad } : { kind: 'header' };
        }
      } else {
        const n = Math.min(st.left, chunk.length - off);
        st.left -= n;
        off += n;
        if (st.left === 0) this.state = { kind: 'header' };
      }
    }
  }

  /** The stream ended: fine at an entry boundary (with or without the end blocks). */
  finish(): void {
    const st = this.state;
    if (st.kind === 'done' || (st.kind === 'header' && this.filled === 0)) return;
    throw invalid('unexpected EOF in tar archive');
  }

  private header(): void {
    if (isZeroBlock(this.block)) {
      this.state = { kind: 'done' };
      return;
    }
    let h: TarHeader;
    try {
      h = decodeHeader(this.block);
    } catch (err) {
      throw invalid((err as Error).message);
    }
    const flag = h.typeflag;
    if (isMetaFlag(flag)) {
      this.meta = [];
      this.metaHave = 0;
      this.state = { kind: 'meta', flag, size: h.size };
      if (h.size === 0) this.metaDone(flag, 0);
      return;
    }
    this.tarMeta.apply(h);
    const size = h.type === 'file' || h.type === 'other' ? h.size : 0;
    this.sink.entry(h);
    if (size === 0) {
      this.sink.end();
      this.state = { kind: 'header' };
    } else {
      this.state = { kind: 'body', left: size, pad: padOf(size) };
    }
  }

  private metaDone(flag: string, size: number): void {
    const data = Buffer.concat(this.meta, this.metaHave);
    this.meta = [];
    if (isMetaFlag(flag)) this.tarMeta.record(flag, data);
    const pad = padOf(size);
    this.state = pad ? { kind: 'skip', left: pad } : { kind: 'header' };
  }
}
