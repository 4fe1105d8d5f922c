import { type Socket, connect } from 'node:net';

/** Where to connect: a unix socket or a TCP host. */
export type SimpleTarget = { socketPath: string } | { host: string; port: number };

/** One request; the body is sent whole with a Content-Length. */
export interface SimpleRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** A whole response: lower-cased header names, repeated headers joined with ", " (as node:http does). */
export interface SimpleResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** The socket of a `101 Switching Protocols` reply and the bytes that came after its head. */
export interface Upgraded {
  socket: Socket;
  head: Buffer;
}

/**
 * A minimal HTTP/1.1 client for the CLI's short requests: one connection per request
 * (`Connection: close`), the response read whole (Content-Length, chunked, or to the end).
 * node:http costs a short-lived process ~10 ms of CPU to load and set up its first request;
 * this costs ~1 ms. Streams (logs, events, pulls, uploads) stay on node:http.
 *
 * @example
 *   const r = await simpleExchange({ socketPath: '/run/berth.sock' }, { method: 'GET', path: '/_ping', headers: {} });
 *   r.statusCode; // 200
 */
export function simpleExchange(target: SimpleTarget, req: SimpleRequest): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const socket = open(target, req, 'close', reject);
    const p = new ResponseParser(req.method === 'HEAD');
    let done = false;
    const finish = (ended: boolean): void => {
      if (done) return;
      const r = p.result(ended);
      if (!r) {
        if (ended) {
          done = true;
          reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
        }
        return;
      }
      done = true;
      socket.destroy();
      resolve(r);
    };
    socket.on('data', (chunk: Buffer) => {
      try {
        p.push(chunk);
      } catch (e) {
        done = true;
        socket.destroy();
        return reject(e);
      }
      finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
  });
}

/**
 * Sends an upgrade request (`Connection: Upgrade`, `Upgrade: tcp`); resolves with the socket on
 * `101`, or with the whole response (an error reply) otherwise. As with node:http's 'upgrade',
 * the socket is handed over flowing: attach a reader in the same tick as the promise resolves
 * (no I/O event runs before the continuation of an `await` on it).
 */
export function simpleUpgrade(target: SimpleTarget, req: SimpleRequest): Promise<Upgraded | SimpleResponse> {
  return new Promise((resolve, reject) => {
    const socket = open(target, req, 'Upgrade', reject);
    const p = new ResponseParser(false);
    let done = false;
    const onData = (chunk: Buffer): void => {
      try {
        p.push(chunk);
      } catch (e) {
        done = true;
        socket.destroy();
        return reject(e);
      }
      if (p.status === 101) {
        done = true;
        socket.removeListener('data', onData);
        socket.removeListener('end', onEnd);
        socket.removeListener('error', onError);
        resolve({ socket, head: p.rest() });
        return;
      }
      const r = p.result(false);
      if (r) {
        done = true;
        socket.destroy();
        resolve(r);
      }
    };
    const onEnd = (): void => {
      if (done) return;
      done = true;
      const r = p.result(true);
      if (r) resolve(r);
      else reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    };
    const onError = (e: Error): void => {
      if (!done) reject(e);
      done = true;
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('error', onError);
  });
}

function open(target: SimpleTarget, req: SimpleRequest, connection: string, reject: (e: Error) => void): Socket {
  const socket = 'socketPath' in target ? connect(target.socketPath) : connect(target.port, target.host);
  socket.once('error', reject);
  const host = 'socketPath' in target ? 'localhost' : `${target.host}:${target.port}`;
  let head = `${req.method} ${req.path} HTTP/1.1\r\nHost: ${host}\r\n`;
  for (const [k, v] of Object.entries(req.headers)) head += `${k}: ${v}\r\n`;
  if (req.body) head += `Content-Length: ${req.body.length}\r\n`;
  else if (req.method !== 'GET' && req.method !== 'HEAD') head += 'Content-Length: 0\r\n';
  if (connection === 'Upgrade') head += 'Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n';
  else head += `Connection: ${connection}\r\n\r\n`;
  socket.write(req.body ? Buffer.concat([Buffer.from(head, 'latin1'), req.body]) : Buffer.from(head, 'latin1'));
  return socket;
}

/** Incremental parser of one response. */
class ResponseParser {
  status = 0;
  private buf: Buffer = Buffer.alloc(0);
  private headers: Record<string, string> | undefined;
  private bodyStart = 0;

  constructor(private readonly noBody: boolean) {}

  push(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    if (this.headers) return;
    const end = this.buf.indexOf('\r\n\r\n');
    if (end < 0) return;
    const lines = this.buf.subarray(0, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]!);
    if (!m) throw new Error(`failed to read the daemon's response: bad status line ${JSON.stringify(lines[0])}`);
    this.status = Number(m[1]);
    const h: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      if (i <= 0) continue;
      const k = line.slice(0, i).trim().toLowerCase();
      const v = line.slice(i + 1).trim();
      h[k] = h[k] === undefined ? v : `${h[k]}, ${v}`;
    }
    this.headers = h;
    this.bodyStart = end + 4;
  }

  /** Bytes after the head (an upgraded stream's first bytes). */
  rest(): Buffer {
    return this.buf.subarray(this.bodyStart);
  }

  /** The response once complete (or at the end of the stream), else undefined. */
  result(ended: boolean): SimpleResponse | undefined {
    const h = this.headers;
    if (!h) return undefined;
    const done = (body: Buffer): SimpleResponse => ({ statusCode: this.status, headers: h, body });
    if (this.noBody || this.status === 204 || this.status === 304 || (this.status >= 100 && this.status < 200)) return done(Buffer.alloc(0));
    const body = this.rest();
    if (h['transfer-encoding']?.toLowerCase().includes('chunked')) {
      const decoded = dechunk(body);
      if (decoded) return done(decoded);
      return ended ? done(body) : undefined;
    }
    if (h['content-length'] !== undefined) {
      const n = Number(h['content-length']);
      if (body.length >= n) return done(body.subarray(0, n));
      return ended ? done(body) : undefined;
    }
    return ended ? done(body) : undefined;
  }
}

/** Decodes a complete chunked body; undefined until the last chunk has arrived. */
export function dechunk(b: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let i = 0;
  for (;;) {
    const eol = b.indexOf('\r\n', i);
    if (eol < 0) return undefined;
    const size = parseInt(b.subarray(i, eol).toString('latin1').split(';')[0]!.trim(), 16);
    if (Number.isNaN(size)) throw new Error("failed to read the daemon's response: bad chunk size");
    if (size === 0) return Buffer.concat(parts);
    const start = eol + 2;
    if (b.length < start + size + 2) return undefined;
    parts.push(b.subarray(start, start + size));
    i = start + size + 2;
  }
}
