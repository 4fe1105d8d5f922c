import { Transform, type Readable, type Writable } from 'node:stream';
import type { RequestContext } from './context.js';
import { STANDARD_HEADERS } from './respond.js';

/** A hijacked connection: raw bytes in (client stdin) and out (container output). */
export interface HijackedConn {
  input: Readable;
  output: Writable;
  /** Ends our side; the client sees EOF on its read side. */
  end(): void;
  /** Called once when the connection is gone (either side closed or errored). */
  onClose(fn: () => void): void;
}

const taken = new WeakSet<object>();

/** True once a handler hijacked this request's connection (errors can no longer be HTTP responses). */
export const isHijacked = (ctx: Pick<RequestContext, 'res'>): boolean => taken.has(ctx.res);

/**
 * Takes over the connection like dockerd's attach: with `Upgrade: tcp` it answers
 * `101 UPGRADED` (+ Content-Type, Connection/Upgrade headers) and hands back the socket;
 * without it, `200 OK` with an unframed body on a connection that closes at the end.
 */
export function hijack(ctx: RequestContext, contentType: string): HijackedConn {
  taken.add(ctx.res);
  if (ctx.upgrade) {
    const { socket, head } = ctx.upgrade;
    const lines = ['HTTP/1.1 101 UPGRADED', `Content-Type: ${contentType}`, 'Connection: Upgrade', 'Upgrade: tcp'];
    for (const [k, v] of Object.entries(STANDARD_HEADERS)) lines.push(`${k}: ${v}`);
    socket.write(lines.join('\r\n') + '\r\n\r\n');
    // A request body (dockerode sends the attach options as JSON) is not stdin: dockerd drops it.
    const bodyLen = Number(ctx.req.headers['content-length'] ?? 0) || 0;
    const rest = head.subarray(Math.min(bodyLen, head.length));
    const skip = bodyLen - (head.length - rest.length);
    if (rest.length > 0) socket.unshift(rest);
    (socket as { setNoDelay?: (b: boolean) => void }).setNoDelay?.(true);
    return {
      input: skip > 0 ? socket.pipe(skipBytes(skip)) : socket,
      output: socket,
      end: () => socket.end(),
      onClose: (fn) => {
        socket.once('close', fn);
        socket.on('error', () => {});
      },
    };
  }
  const { req, res } = ctx;
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0;
  // No chunked framing: the body is the raw stream until the connection closes.
  (res as unknown as { useChunkedEncodingByDefault: boolean }).useChunkedEncodingByDefault = false;
  res.shouldKeepAlive = false;
  res.writeHead(200, { 'Content-Type': contentType, Connection: 'close' });
  res.flushHeaders();
  return {
    input: hasBody ? emptyInput(req) : req,
    output: res,
    end: () => res.end(),
    onClose: (fn) => res.once('close', fn),
  };
}

/** Drops the first `n` bytes of a stream. */
function skipBytes(n: number): Transform {
  let left = n;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (left >= chunk.length) {
        left -= chunk.length;
        return cb();
      }
      const out = chunk.subarray(left);
      left = 0;
      cb(null, out);
    },
  });
}

/** The request body is consumed and discarded; the input ends with it. */
function emptyInput(req: Readable): Readable {
  return req.pipe(skipBytes(Number.MAX_SAFE_INTEGER));
}
