import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EngineError } from '../shared/errors.js';
import type { FromWorker, ToWorker } from './apply-worker.js';
import { applyTarSync, type ApplyLayerResult, type LayerJobOptions } from './layer-job.js';

export type { ApplyLayerResult, WhiteoutFormat } from './layer-job.js';

export interface ApplyLayerOptions extends LayerJobOptions {
  /**
   * syncfs(2) the filesystem of `dir` once everything is written (before the caller makes the
   * layer visible): one flush instead of an fsync per file.
   */
  sync?: boolean;
  /** false: the caller hashes the same bytes itself (the DiffID comes back empty). */
  digest?: boolean;
}

/**
 * Bytes handed to the worker per message, in slots of memory shared with it and reused once
 * it acks them (no fresh buffer per message: page faults and unmaps of 128 MB of them cost more
 * than the copy); SLOTS of them may wait there unread.
 */
const BATCH = 1 << 20;
const SLOTS = 16;
/** An idle worker is kept this long for the next layer (a pull applies several in a row). */
const IDLE_MS = 10_000;

const WORKER_URL = new URL('./apply-worker.js', import.meta.url);
const idle: Worker[] = [];
let idleTimer: NodeJS.Timeout | undefined;

function takeWorker(): Worker | undefined {
  const w = idle.pop();
  if (w) return w;
  if (!existsSync(fileURLToPath(WORKER_URL))) return undefined; // bundled without the worker file
  return new Worker(WORKER_URL);
}

function releaseWorker(w: Worker): void {
  w.unref();
  if (idle.length) {
    void w.terminate();
    return;
  }
  idle.push(w);
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    for (const x of idle.splice(0)) void x.terminate();
  }, IDLE_MS);
  idleTimer.unref();
}

/**
 * Unpack an (uncompressed) OCI/Docker layer tar onto `dir`, which is usually an overlay
 * upper directory. Paths never leave `dir`: names with `..` and hard links or symlinks
 * pointing out are rejected, symlinks met on the way are refused (see layer-job.ts).
 * The files are written by a worker thread with blocking calls (no promise and thread-pool
 * round trip per call); this thread only hands it the bytes, so decompression (zlib's
 * threads), the download feeding it and the writes overlap.
 *
 * @example const { diffId } = await applyLayer(await decompress(blob), snapshotter.upperDir(key), { sync: true });
 */
export async function applyLayer(tar: Readable | AsyncIterable<Buffer>, dir: string, opts: ApplyLayerOptions = {}): Promise<ApplyLayerResult> {
  const jobOpts: LayerJobOptions = { whiteoutFormat: opts.whiteoutFormat, anySymlinkTarget: opts.anySymlinkTarget, ...(opts.donor ? { donor: opts.donor } : {}) };
  const worker = takeWorker();
  try {
    const digest = opts.digest !== false;
    if (!worker) return await applyTarSync(tar as AsyncIterable<Buffer>, dir, jobOpts, digest);
    return await feedWorker(worker, tar, dir, jobOpts, opts.sync === true, digest);
  } catch (err) {
    if ('destroy' in tar && typeof tar.destroy === 'function') tar.destroy();
    throw EngineError.is(err) ? err : EngineError.wrap('internal', 'failed to apply layer', err);
  }
}

async function feedWorker(worker: Worker, tar: AsyncIterable<Buffer | string>, dir: string, opts: LayerJobOptions, sync: boolean, digest: boolean): Promise<ApplyLayerResult> {
  // the DiffID is hashed here, off the worker (which is the bottleneck); it sees every byte sent
  const hash = digest ? createHash('sha256') : undefined;
  let size = 0;
  const slots: { sab: SharedArrayBuffer; buf: Buffer }[] = [];
  const free: number[] = [];
  let wake: (() => void) | undefined;
  let settled = false;
  let resolveDone!: (r: ApplyLayerResult) => void;
  let rejectDone!: (err: unknown) => void;
  const done = new Promise<ApplyLayerResult>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  done.catch(() => undefined);
  const settle = (): void => {
    settled = true;
    wake?.();
  };
  const onMessage = (m: FromWorker): void => {
    if (m.t === 'ack') {
      free.push(m.slot);
      wake?.();
      return;
    }
    settle();
    if (m.t === 'done') resolveDone({ diffId: `sha256:${hash ? hash.digest('hex') : ''}`, size, contentSize: m.contentSize });
    else rejectDone(m.kind ? new EngineError(m.kind, m.message) : Object.assign(new Error(m.message), { code: m.code }));
  };
  const onError = (err: Error): void => {
    settle();
    rejectDone(err);
  };
  const onExit = (code: number): void => {
    settle();
    rejectDone(new Error(`layer worker exited with code ${code}`));
  };
  // only our own listeners come off again: Worker refs its port through listeners of its own
  worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  worker.ref();
  const send = (m: ToWorker): void => worker.postMessage(m);
  send({ t: 'start', dir, opts, sync });
  let ok = false;
  try {
    /** The slot being filled (-1: none yet) and how far. */
    let cur = -1;
    let len = 0;
    const take = async (): Promise<boolean> => {
      while (!free.length && slots.length >= SLOTS && !settled) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      if (settled) return false;
      if (free.length) cur = free.pop()!;
      else {
        const sab = new SharedArrayBuffer(BATCH);
        cur = slots.push({ sab, buf: Buffer.from(sab) }) - 1;
      }
      len = 0;
      return true;
    };
    const flush = (): void => {
      send({ t: 'data', slot: cur, sab: slots[cur]!.sab, len });
      cur = -1;
    };
    for await (const c of tar) {
      if (settled) break; // the worker failed (or finished early): its answer decides
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      hash?.update(b);
      size += b.length;
      for (let off = 0; off < b.length; ) {
        if (cur === -1 && !(await take())) break;
        const n = b.copy(slots[cur]!.buf, len, off);
        off += n;
        len += n;
        if (len === BATCH) flush();
      }
    }
    if (cur !== -1 && len && !settled) flush();
    if (!settled) send({ t: 'end' });
    const r = await done;
    ok = true;
    return r;
  } catch (err) {
    if (!settled) send({ t: 'abort' });
    // the source failed: wait for the worker to stop touching `dir`, then report the source's error
    await done.catch(() => undefined);
    throw err;
  } finally {
    worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    if (ok) releaseWorker(worker);
    else void worker.terminate();
  }
}
