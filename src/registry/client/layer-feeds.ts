import { PassThrough } from 'node:stream';
import type { Digest } from '../../shared/digest.js';
import type { LayerFeed } from '../../images/unpack.js';
import type { BlobTap } from './blob-fetcher.js';

/** Bytes a feed holds for an unpacker that has not asked for it yet; past this it is dropped. */
export const UNCLAIMED_FEED_LIMIT = 8 << 20;

/**
 * A BlobTap that feeds a readable stream. Until the unpacker claims it, bytes are held up
 * to UNCLAIMED_FEED_LIMIT; past that the feed of the layer the unpacker will take next waits
 * for its claim, any other gives up (the unpacker reads the stored blob instead). Once
 * claimed, the download waits for the unpacker (backpressure).
 */
class StreamTap implements BlobTap {
  readonly stream = new PassThrough({ highWaterMark: 1 << 20 });
  private closed = false;
  private claimed = false;
  private held = 0;
  private wake: (() => void) | undefined;
  private decide: (() => void) | undefined;
  private readonly decided = new Promise<void>((resolve) => (this.decide = resolve));

  /** `isNext`: whether the unpacker takes this layer next (so waiting for it is safe). */
  constructor(private readonly isNext: () => boolean) {
    this.stream.on('error', () => undefined); // the reader (if any) sees it through its own pipe
  }

  /** True while the feed can still deliver every byte. */
  get usable(): boolean {
    return !this.stream.destroyed && (!this.closed || this.stream.writableEnded);
  }

  claim(): void {
    this.claimed = true;
    this.decide?.();
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.closed || this.stream.destroyed) return;
    const more = this.stream.write(chunk);
    if (!this.claimed) {
      this.held += chunk.length;
      if (this.held <= UNCLAIMED_FEED_LIMIT) return;
      if (!this.isNext()) return this.close(new Error('unpacker not ready for this layer'));
      await this.decided;
      if (!this.claimed) return;
    }
    if (more) return;
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      this.stream.once('drain', resolve);
      this.stream.once('close', resolve);
    });
    this.wake = undefined;
  }

  end(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream.end();
  }

  fail(err: Error): void {
    this.close(err);
  }

  /** Stops feeding; a pending write returns at once. */
  close(err?: Error): void {
    this.closed = true;
    if (!this.stream.destroyed) this.stream.destroy(err);
    this.wake?.();
    this.decide?.();
  }
}

interface Slot {
  tap?: StreamTap;
  started: boolean;
  /** The unpacker took its feed, or said it will not (its chain exists). */
  claimed: boolean;
  waiter?: { resolve: (f: LayerFeed | undefined) => void; reject: (err: unknown) => void };
  stored: Promise<void>;
  settle: (err?: unknown) => void;
}

/**
 * Connects a pull's layer downloads to the unpacker so a layer is unpacked while it
 * downloads: every download feeds a `LayerFeed`; the unpacker claims it when the layer's
 * turn comes (a feed not claimed soon enough is dropped and the stored blob is read instead).
 * Each blob feeds at most one unpacker.
 */
export class LayerFeeds {
  private readonly slots = new Map<Digest, Slot>();

  constructor(digests: readonly Digest[]) {
    for (const d of digests) {
      if (this.slots.has(d)) continue;
      let settle!: (err?: unknown) => void;
      const stored = new Promise<void>((resolve, reject) => {
        settle = (err) => (err === undefined ? resolve() : reject(err));
      });
      stored.catch(() => undefined);
      this.slots.set(d, { started: false, claimed: false, stored, settle });
    }
  }

  /** True when `d` is one of the blobs being downloaded. */
  has(d: Digest): boolean {
    return this.slots.has(d);
  }

  /** The first blob the unpacker has neither taken nor skipped: it comes next. */
  private next(): Slot | undefined {
    for (const s of this.slots.values()) if (!s.claimed) return s;
    return undefined;
  }

  /** For the unpacker (UnpackLayer.skip): it will not read `d` (its layer is unpacked already). */
  skip(d: Digest): void {
    const s = this.slots.get(d);
    if (!s || s.claimed) return;
    s.claimed = true;
    s.tap?.close();
  }

  /** The unpacker stopped (failed): no feed is read any more; downloads go on to the store. */
  abandon(): void {
    for (const s of this.slots.values()) {
      s.claimed = true;
      s.tap?.close();
      const w = s.waiter;
      s.waiter = undefined;
      w?.resolve(undefined);
    }
  }

  /** For the unpacker (UnpackLayer.open): a live feed, or undefined once the blob is stored. */
  open(d: Digest): Promise<LayerFeed | undefined> {
    const s = this.slots.get(d);
    if (!s || s.claimed) return s ? s.stored.then(() => undefined) : Promise.resolve(undefined);
    s.claimed = true;
    if (!s.started) return new Promise((resolve, reject) => (s.waiter = { resolve, reject }));
    const tap = s.tap;
    if (!tap?.usable) return s.stored.then(() => undefined);
    return Promise.resolve(this.feed(s, tap));
  }

  private feed(s: Slot, tap: StreamTap): LayerFeed {
    tap.claim();
    return { stream: tap.stream, verified: s.stored, detach: () => tap.close() };
  }

  /** For the downloader, as the download of `d` begins: the tap to feed. */
  begin(d: Digest): BlobTap | undefined {
    const s = this.slots.get(d);
    if (!s || s.started) return undefined;
    s.started = true;
    const tap = new StreamTap(() => this.next() === s);
    s.tap = tap;
    const w = s.waiter;
    s.waiter = undefined;
    w?.resolve(this.feed(s, tap));
    return tap;
  }

  /** For the downloader: the blob is stored (no error) or will not be. */
  finish(d: Digest, err?: unknown): void {
    const s = this.slots.get(d);
    if (!s) return;
    s.started = true;
    s.settle(err);
    const w = s.waiter;
    s.waiter = undefined;
    if (w) s.stored.then(() => w.resolve(undefined), w.reject);
    if (err !== undefined && !s.claimed) s.tap?.close();
  }

  /** Fails every blob not finished yet (the pull gave up). */
  failAll(err: unknown): void {
    for (const d of this.slots.keys()) this.finish(d, err);
  }
}
