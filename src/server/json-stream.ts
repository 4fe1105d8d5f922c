import type { ServerResponse } from 'node:http';
import type { JSONMessage } from '../api/types.js';

/**
 * A progress stream (`application/json`, one JSON message per line, `\r\n` like dockerd).
 * Headers go out with the first message, so an error before any output is still a
 * normal HTTP error; an error after that becomes an `errorDetail` message.
 *
 * @example
 *   const out = new JsonMessageStream(res);
 *   await images.load(req, (m) => out.write(m));
 *   out.end();
 */
export class JsonMessageStream {
  constructor(private readonly res: ServerResponse) {}

  get started(): boolean {
    return this.res.headersSent;
  }

  write(msg: JSONMessage): void {
    if (this.res.writableEnded || this.res.destroyed) return;
    if (!this.res.headersSent) this.res.writeHead(200, { 'Content-Type': 'application/json' });
    // Go's encoding/json escapes <, > and & (` ---\u003e 1a2b`): clients and diffs expect it
    this.res.write(JSON.stringify(msg).replace(/[<>&]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`) + '\r\n');
  }

  /** Writes the error as a stream message (`{"errorDetail":{"message":..},"error":..}`). */
  fail(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.write({ errorDetail: { message }, error: message });
    this.end();
  }

  end(): void {
    if (this.res.writableEnded) return;
    if (!this.res.headersSent) this.res.writeHead(200, { 'Content-Type': 'application/json' });
    this.res.end();
  }
}

/**
 * Runs `work` with a progress stream; errors before output propagate, after output they are
 * streamed. With `inStream` every error is streamed (dockerd's `/images/load` answers 200 always).
 */
export async function streamProgress(res: ServerResponse, work: (out: JsonMessageStream) => Promise<void>, opts: { inStream?: boolean } = {}): Promise<void> {
  const out = new JsonMessageStream(res);
  try {
    await work(out);
  } catch (err) {
    if (!out.started && !opts.inStream) throw err;
    out.fail(err);
    return;
  }
  out.end();
}
