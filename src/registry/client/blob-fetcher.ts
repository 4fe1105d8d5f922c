import type { IncomingMessage } from 'node:http';
import { hexOf, type Digest } from '../../shared/digest.js';
import { EngineError } from '../../shared/errors.js';
import type { Ingest } from '../../content/types.js';
import type { RegistryContent } from './content-deps.js';
import type { Descriptor } from './descriptors.js';
import { discard } from './http-request.js';
import { responseError } from './registry-errors.js';
import type { RegistrySession } from './registry-session.js';

/** Attempts per blob (the first try plus retries after a dropped connection). */
export const BLOB_ATTEMPTS = 6;

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
    if (!p) {
      p = this.download(src).finally(() => this.inflight.delete(d));
      this.inflight.set(d, p);
    }
    return p;
  }

  private async download(src: BlobSource): Promise<void> {
    const { digest, size } = src.desc;
    if (await this.content.has(digest)) return;
    const ref = `pull-${hexOf(digest)}`;
    let w: Ingest = await this.content.openWriter({ expected: digest, size, ref });
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
          w = await this.content.openWriter({ expected: digest, size, ref });
        }
        try {
          for await (const chunk of res) {
            await w.write(chunk as Buffer);
            src.onBytes?.(w.offset, size);
          }
        } catch (err) {
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
      try {
        await w.commit(digest, size);
      } catch (err) {
        throw new EngineError('invalid-argument', `filesystem layer verification failed for digest ${digest}`, { cause: err });
      }
    } finally {
      await w.abort();
    }
  }
}
