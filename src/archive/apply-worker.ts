import { closeSync, openSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { EngineError } from '../shared/errors.js';
import { syncfs } from '../shared/libc.js';
import { applyTarSync, type LayerJobOptions } from './layer-job.js';

/** Messages to the layer worker: one job at a time (start, data..., end | abort). */
export type ToWorker =
  | { t: 'start'; dir: string; opts: LayerJobOptions; sync: boolean }
  | { t: 'data'; buf: Uint8Array }
  | { t: 'end' }
  | { t: 'abort' };

/** Messages from the layer worker: `ack` returns credit for bytes taken off the queue. */
export type FromWorker =
  | { t: 'ack'; n: number }
  | { t: 'done' }
  | { t: 'error'; kind?: EngineError['kind']; message: string; code?: string };

/** Chunks posted by the main thread, read by the tar parser as they come. */
class ChunkQueue implements AsyncIterable<Buffer> {
  private readonly chunks: Buffer[] = [];
  private ended = false;
  private aborted = false;
  private wake: (() => void) | undefined;

  constructor(private readonly ack: (n: number) => void) {}

  push(b: Buffer): void {
    this.chunks.push(b);
    this.poke();
  }

  end(): void {
    this.ended = true;
    this.poke();
  }

  abort(): void {
    this.aborted = true;
    this.poke();
  }

  private poke(): void {
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    for (;;) {
      if (this.aborted) throw new Error('layer stream aborted');
      const c = this.chunks.shift();
      if (c) {
        this.ack(c.length);
        yield c;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

/** syncfs(2) of the filesystem holding `dir`: everything written there reaches the disk. */
function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    syncfs(fd);
  } finally {
    closeSync(fd);
  }
}

const port = parentPort;
let queue: ChunkQueue | undefined;
const post = (m: FromWorker): void => port!.postMessage(m);

async function run(dir: string, opts: LayerJobOptions, sync: boolean, q: ChunkQueue): Promise<void> {
  try {
    await applyTarSync(q, dir, opts, false); // the main thread hashes: this thread is the busy one
    if (sync) syncDir(dir);
    post({ t: 'done' });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    post(EngineError.is(err) ? { t: 'error', kind: err.kind, message: err.message } : { t: 'error', message: e?.message ?? String(err), code: e?.code });
  } finally {
    if (queue === q) queue = undefined;
  }
}

port?.on('message', (m: ToWorker) => {
  switch (m.t) {
    case 'start': {
      const q = new ChunkQueue((n) => post({ t: 'ack', n }));
      queue = q;
      void run(m.dir, m.opts, m.sync, q);
      return;
    }
    case 'data':
      queue?.push(Buffer.from(m.buf.buffer, m.buf.byteOffset, m.buf.byteLength));
      return;
    case 'end':
      queue?.end();
      return;
    case 'abort':
      queue?.abort();
      return;
  }
});
