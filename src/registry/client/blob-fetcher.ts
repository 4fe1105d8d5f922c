import type { IncomingMessage } from 'node:http';
import { hexOf, type Digest } from '../../shared/digest.js';
import { EngineError } from '../../shared/errors.js';
import type { Ingest } from '../../content/types.js';
import type { RegistryContent } from './content-deps.js';
import type { Descriptor } from './descriptors.js';
import { discard } from './http-request.js';
import { responseError } from './registry-errors.js';
import { WriteBehind } from './write-behind.js';
import type { RegistrySession } from './registry-session.js';

/** Attempts per blob (the first try plus retries after a dropped connection). */
export const BLOB_ATTEMPTS = 6;

/** Receives a blob's bytes as they are downloaded (from the first byte, in order). */
export interface BlobTap {
  /** Resolves when the receiver wants more. */
  write(chunk: Buffer): Promise<void>;
  /** Every byte was delivered. */
  end(): void;
  /** The bytes will not come (or not all of them): the receiver must read the stored blob. */
  fail(err: Error): void;
}

/** Where to fetch one blob from. */
export interface BlobSource {
  session: RegistrySession;
  /** Repository path (`library/busybox`). */
  repo: string;
  desc: Pick<Descriptor, 'digest' | 'size'>;
  /** Bytes so far / total (called as data arrives). */
  onBytes?: (current: number, total: number) => void;
  /** Pause before a retry (ms); tests shorten it. */
  retryDelayMs?: number;
  /** Also hand the bytes to this receiver while they arrive (before they are verified). */
  tap?: BlobTap;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function rangeStart(res: IncomingMessage): number | undefined {
  const m = /^bytes (\d+)-/.exec(String(res.headers['content-range'] ?? ''));
  return m ? Number(m[1]) : undefined;
}

/**
 * Downloads blobs into the content store: verified against digest and size before they
 * become visible, resumed with HTTP Range after a dropped connection (up to 5 retries), and
 * single-flight per digest (concurrent pulls of one layer share the download).
 *
 * @example
 *   const f = new BlobFetcher(content);
 *   await f.fetch({ session, repo: 'library/busybox', desc: layer, onBytes: (c, t) => bar(c, t) });
 */
export class BlobFetcher {
  private readonly inflight = new Map<Digest, Promise<void>>();

  constructor(private readonly content: RegistryContent) {}

  /** True when the blob is already stored. */
  has(d: Digest): Promise<boolean> {
    return this.content.has(d);
  }

  /** Fetches the blob unless present; joins an in-flight download of the same digest. */
  fetch(src: BlobSource): Promise<void> {
    const d = src.desc.digest;
    let p = this.inflight.get(d);
    if (p) src.tap?.fail(new Error(`download of ${d} is shared with another pull`));
    else {
      p = this.download(src).finally(() => this.inflight.delete(d));
      this.inflight.set(d, p);
    }
    return p;
  }

  private async download(src: BlobSource): Promise<void> {
    const { digest, size } = src.desc;
    const tap = src.tap;
    if (await this.content.has(digest)) return tap?.fail(new Error(`blob ${digest} is already stored`));
    const ref = `pull-${hexOf(digest)}`;
    let w: Ingest;
    try {
      w = await this.content.openWriter({ expected: digest, size, ref });
    } catch (err) {
      tap?.fail(err as Error);
      throw err;
    }
    if (w.offset > 0) tap?.fail(new Error('resumed download'));
    let lastErr: unknown;
    try {
      for (let attempt = 0; attempt < BLOB_ATTEMPTS; attempt++) {
        if (attempt > 0) await sleep((src.retryDelayMs ?? 250) * attempt);
        if (w.offset >= size) break;
       
        const headers: Record<string, string> = w.offset > 0 ? { Range: `bytes=${w.offset}-` } : {};
        let res: IncomingMessage;
        try {
          res = await src.session.request(`/v2/${src.repo}/blobs/${digest}`, { headers, follow: true, scopes: [`repository:${src.repo}:pull`] });
        } catch (err) {
          lastErr = err;
          continue;
        }
        const status = res.statusCode ?? 0;
        if (status >= 400) {
          const err = await responseError(res);
          if (status < 500 && status !== 408 && status !== 429) throw err;
          lastErr = err;
          continue;
        }
        if (status === 206 && rangeStart(res) !== w.offset) {
          discard(res);
          lastErr = new Error('registry sent an unexpected range');
          continue;
        }
        if (status === 200 && w.offset > 0) {
          // no Range support: start over
          await w.abort();
          tap?.fail(new Error('download restarted'));
          w = await this.content.openWriter({ expected: digest, size, ref });
        }
        const out = new WriteBehind(w);
        try {
          let got = w.offset;
          for await (const chunk of res) {
            await out.push(chunk as Buffer);
            got += (chunk as Buffer).length;
            src.onBytes?.(got, size);
            await tap?.write(chunk as Buffer);
          }
          await out.flush();
        } catch (err) {
          await out.flush().catch((e: unknown) => {
            err = e;
          }); // keep what arrived: the retry resumes after it
          if (EngineError.is(err, 'invalid-argument')) throw err; // more bytes than the descriptor says
          lastErr = err;
          continue;
        }
        if (w.offset >= size) break;
        lastErr = new Error(`unexpected EOF after ${w.offset} of ${size} bytes`);
      }
      if (w.offset < size) {
        const why = lastErr instanceof Error ? lastErr.message : String(lastErr);
        throw new EngineError('unavailable', `failed to download ${digest}: download failed after attempts=${BLOB_ATTEMPTS}: ${why}`, { cause: lastErr });
      }
      tap?.end();
      try {
        await w.commit(digest, size);
      } catch (err) {
        throw new EngineError('invalid-argument', `filesystem layer verification failed for digest ${digest}`, { cause: err });
      }
    } catch (err) {
      tap?.fail(err as Error);
      throw err;
    } finally {
      await w.abort();
    }
  }
}
