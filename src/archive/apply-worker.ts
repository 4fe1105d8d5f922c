import { closeSync, openSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { EngineError } from '../shared/errors.js';
import { syncfs } from '../shared/libc.js';
import { layerSink, type LayerJobOptions, type LayerSink } from './layer-job.js';

/**
 * Messages to the layer worker: one job at a time (start, data..., end | abort). `data`
 * names a slot of memory shared with the main thread, which reuses it once acked.
 */
export type ToWorker =
  | { t: 'start'; dir: string; opts: LayerJobOptions; sync: boolean }
  | { t: 'data'; slot: number; sab: SharedArrayBuffer; len: number }
  | { t: 'end' }
  | { t: 'abort' };

/** Messages from the layer worker: `ack` hands a slot back (its bytes are applied). */
export type FromWorker =
  | { t: 'ack'; slot: number }
  | { t: 'done'; contentSize: number }
  | { t: 'error'; kind?: EngineError['kind']; message: string; code?: string };

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
const post = (m: FromWorker): void => port!.postMessage(m);
/** The job at hand: undefined between jobs and once it failed (its later messages are dropped). */
let job: { sink: LayerSink; dir: string; sync: boolean } | undefined;

function fail(err: unknown): void {
  job?.sink.abort();
  job = undefined;
  const e = err as NodeJS.ErrnoException;
  post(EngineError.is(err) ? { t: 'error', kind: err.kind, message: err.message } : { t: 'error', message: e?.message ?? String(err), code: e?.code });
}

// Each message is handled to the end before the next: the parse and the writes are blocking
// calls, which on this thread cost less than promises (the main thread hashes the DiffID).
port?.on('message', (m: ToWorker) => {
  try {
    switch (m.t) {
      case 'start':
        job = { sink: layerSink(m.dir, m.opts), dir: m.dir, sync: m.sync };
        return;
      case 'data':
        try {
          job?.sink.push(Buffer.from(m.sab, 0, m.len));
        } finally {
          post({ t: 'ack', slot: m.slot });
        }
        return;
      case 'end': {
        if (!job) return;
        const j = job;
        const contentSize = j.sink.end();
        if (j.sync) syncDir(j.dir);
        job = undefined;
        post({ t: 'done', contentSize });
        return;
      }
      case 'abort':
        if (job) fail(new Error('layer stream aborted'));
        return;
    }
  } catch (err) {
    if (job) fail(err);
  }
});
