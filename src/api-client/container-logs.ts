import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FrameDemuxer } from './stdcopy.js';
import type { Transport } from './transport.js';

export interface LogsOptions {
  follow?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  /** Unix timestamp or relative duration string, passed as given. */
  since?: string;
  until?: string;
  timestamps?: boolean;
  /** Number of lines, or `all`. */
  tail?: string;
  signal?: AbortSignal;
}

/** GET /containers/{id}/logs: the raw reply (framed unless the container has a TTY). */
export async function containerLogs(t: Transport, id: string, opts: LogsOptions = {}): Promise<Readable> {
  return t.request(`/containers/${encodeURIComponent(id)}/logs`, {
    query: {
      follow: opts.follow || undefined,
      stdout: opts.stdout ?? true,
      stderr: opts.stderr ?? true,
      since: opts.since,
      until: opts.until,
      timestamps: opts.timestamps || undefined,
      tail: opts.tail,
    },
    signal: opts.signal,
  });
}

/**
 * Copies a log or attach stream to stdout/stderr: raw when `tty`, else demultiplexed
 * from Docker's 8-byte frames.
 *
 * @example await copyOutput(await containerLogs(t, id), false, process.stdout, process.stderr);
 */
export async function copyOutput(src: Readable, tty: boolean, stdout: Writable, stderr: Writable): Promise<void> {
  if (tty) {
    await pipeline(src, stdout, { end: false });
    return;
  }
  await pipeline(src, new FrameDemuxer((b) => stdout.write(b), (b) => stderr.write(b)));
}
