import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ServerBackends } from './backends.js';

/**
 * Everything a handler sees for one request. `upgrade` is set when the client asked for
 * `Upgrade: tcp` (attach/exec): then `socket`/`head` are the raw connection to hijack.
 */
export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  /** API version of the request (`1.24`..`1.43`). */
  version: string;
  backends: ServerBackends;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
  /** Aborted when the server shuts down: endless streams (logs -f) end their response cleanly. */
  closing?: AbortSignal;
  upgrade?: { socket: Duplex; head: Buffer };
}

/** Route handlers decode, call one service method, then encode or throw. */
export type Handler = (ctx: RequestContext) => Promise<void> | void;
