import type { Agent, IncomingMessage, RequestOptions as HttpRequestOptions } from 'node:http';
import type { Duplex, Readable } from 'node:stream';
import { ApiError, ConnectionError } from './api-error.js';
import { type DaemonHost, resolveHost } from './host.js';
import { type SimpleResponse, type SimpleTarget, simpleExchange, simpleUpgrade } from './simple-http.js';

/** node:http, loaded on first use: whole-body requests and hijacks go through simple-http.ts. */
const loadHttp = (): Promise<typeof import('node:http')> => import('node:http');

/** The newest API version berth's client speaks. */
export const MAX_API_VERSION = '1.43';

export type QueryValue = string | number | boolean | undefined | null | string[];

/** One request to the Engine API. Paths are unversioned (`/containers/json`). */
export interface RequestOptions {
  method?: string;
  query?: Record<string, QueryValue>;
  /** JSON-encoded when an object; streamed when a Readable. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Abort the request (e.g. a follow that should end). */
  signal?: AbortSignal;
}

/** A hijacked connection: raw bidirectional stream after `101 UPGRADED`. */
export interface HijackedConnection {
  socket: Duplex;
  /** Bytes the server sent right after the 101 headers. */
  head: Buffer;
}

/**
 * HTTP over the daemon socket with API version negotiation (`min(server Api-Version, 1.43)`,
 * requests prefixed `/v<version>/`). Whole-body requests (`ping`, `json`, `call`) and hijacks
 * use simple-http.ts (a fresh connection each); streamed requests and replies (`request`) use
 * node:http with a keep-alive agent.
 *
 * The version is negotiated without a round trip of its own where a request can be sent twice
 * (a whole body, or none): the first such request goes out as `/v1.43/`, which any daemon
 * speaking 1.43 or newer serves as negotiation would have; a daemon refusing it (400 "client
 * version 1.43 is too new", before doing anything) is pinged and the request sent again with
 * the version it names. Streamed bodies ping first.
 *
 * @example
 *   const t = new Transport({ host: 'unix:///run/berth.sock' });
 *   const list = await t.json<ContainerSummary[]>('/containers/json', { query: { all: true } });
 */
export class Transport {
  readonly host: DaemonHost;
  private agent: Agent | undefined;
  private version: string | undefined;
  private negotiating: Promise<string> | undefined;

  constructor(opts: { host?: string; version?: string; env?: NodeJS.ProcessEnv } = {}) {
    const env = opts.env ?? process.env;
    this.host = resolveHost(opts.host, env);
    this.version = opts.version ?? (env.DOCKER_API_VERSION || undefined);
  }

  /** Negotiated API version (pings once if not yet known). */
  async apiVersion(): Promise<string> {
    if (this.version) return this.version;
    this.negotiating ??= this.ping().then((p) => {
      this.version = p.apiVersion && compareVersions(p.apiVersion, MAX_API_VERSION) < 0 ? p.apiVersion : MAX_API_VERSION;
      return this.version;
    });
    return this.negotiating;
  }

  /** The API version requests use, at most: the negotiated or configured one, else MAX_API_VERSION (no round trip). */
  versionBound(): string {
    return this.version ?? MAX_API_VERSION;
  }

  /** `HEAD /_ping` (then `GET` if HEAD is refused), unversioned; returns the headers Docker clients read. */
  async ping(): Promise<{ apiVersion?: string; osType?: string; experimental: boolean; body: string }> {
    let res = await this.exchange('/_ping', { method: 'HEAD' }, false);
    if (!ok(res.statusCode)) res = await this.exchange('/_ping', {}, false);
    if (!ok(res.statusCode)) throw await apiErrorFrom(res.statusCode, res.body);
    const h = res.headers;
    return {
      apiVersion: str(h['api-version']),
      osType: str(h['ostype']),
      experimental: h['docker-experimental'] === 'true',
      body: res.body.toString('utf8'),
    };
  }

  /** Performs a request; rejects with ApiError on non-2xx. The response is unread. */
  async request(path: string, opts: RequestOptions = {}): Promise<IncomingMessage> {
    const res = await this.raw(path, opts, true);
    if (!ok(res.statusCode)) throw await apiErrorFrom(res.statusCode ?? 500, await readAll(res));
    return res;
  }

  /** Performs a request and parses a JSON reply (undefined for an empty body). */
  async json<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.exchange(path, opts, true);
    if (!ok(res.statusCode)) throw await apiErrorFrom(res.statusCode, res.body);
    if (res.body.length === 0) return undefined as T;
    return JSON.parse(res.body.toString('utf8')) as T;
  }

  /** Performs a request and discards the reply body. */
  async call(path: string, opts: RequestOptions = {}): Promise<void> {
    const res = await this.exchange(path, opts, true);
    if (!ok(res.statusCode)) throw await apiErrorFrom(res.statusCode, res.body);
  }

  /**
   * HTTP upgrade (`Connection: Upgrade`, `Upgrade: tcp`) returning the raw socket. An object
   * `body` is sent as JSON (exec start), as docker's client does.
   */
  async hijack(path: string, opts: RequestOptions = {}): Promise<HijackedConnection> {
    const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    const contentType = { 'Content-Type': payload ? 'application/json' : 'text/plain' };
    const r = await this.negotiated(
      (v) =>
        simpleUpgrade(this.simpleTarget(), {
          method: opts.method ?? 'POST',
          path: `/v${v}${path}${encodeQuery(opts.query)}`,
          headers: { ...contentType, ...opts.headers },
          body: payload,
        }),
      (x) => ('socket' in x ? undefined : x),
    );
    if ('socket' in r) return r;
    throw ok(r.statusCode) ? new Error('failed to attach: server did not upgrade the connection') : await apiErrorFrom(r.statusCode, r.body);
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.agent?.destroy();
  }

  private simpleTarget(): SimpleTarget {
    return this.host.kind === 'unix' ? { socketPath: this.host.socketPath } : { host: this.host.host, port: this.host.port };
  }

  private target(): HttpRequestOptions {
    // servername '' (TLS SNI only, unused here): else Node's agent tests the host with net.isIP,
    // whose IPv6 regex costs 1-4 ms per request in a short-lived process.
    return Object.assign(this.simpleTarget(), { servername: '' });
  }

  /** A request whose reply is read whole: simple-http.ts unless the body streams or a signal may abort it. */
  private async exchange(path: string, opts: RequestOptions, versioned: boolean): Promise<SimpleResponse> {
    if (isReadable(opts.body) || opts.signal) {
      const res = await this.raw(path, opts, versioned);
      return { statusCode: res.statusCode ?? 500, headers: res.headers as Record<string, string>, body: await readAll(res) };
    }
    const headers: Record<string, string> = { ...opts.headers };
    const body = this.payload(opts.body, headers) as Buffer | undefined;
    const send = (prefix: string): Promise<SimpleResponse> => simpleExchange(this.simpleTarget(), { method: opts.method ?? 'GET', path: `${prefix}${path}${encodeQuery(opts.query)}`, headers, body });
    if (!versioned) {
      try {
        return await send('');
      } catch (e) {
        throw this.connError(e as Error);
      }
    }
    return this.negotiated((v) => send(`/v${v}`), (r) => r);
  }

  /**
   * Sends a request that can be sent again: with the negotiated version once known, else as
   * `/v1.43/` first (see the class comment), pinging and resending only when the daemon
   * refuses that version.
   */
  private async negotiated<R>(send: (version: string) => Promise<R>, reply: (r: R) => SimpleResponse | undefined): Promise<R> {
    try {
      if (this.version) return await send(this.version);
      const r = await send(MAX_API_VERSION);
      const refused = reply(r);
      if (refused?.statusCode === 400 && /client version \S+ is too new/i.test(refused.body.toString('utf8'))) {
        this.negotiating = undefined;
        return await send(await this.apiVersion());
      }
      // served: later requests use what negotiation gives, min(the daemon's Api-Version, ours)
      const theirs = refused?.headers['api-version'];
      this.version ??= theirs && compareVersions(theirs, MAX_API_VERSION) < 0 ? theirs : MAX_API_VERSION;
      return r;
    } catch (e) {
      throw this.connError(e as Error);
    }
  }

  /** The request body as bytes or a stream, setting Content-Type (and Content-Length for bytes). */
  private payload(body: unknown, headers: Record<string, string>): Buffer | Readable | undefined {
    if (isReadable(body)) {
      headers['Content-Type'] ??= 'application/x-tar';
      return body;
    }
    if (Buffer.isBuffer(body)) return body;
    if (typeof body === 'string') return Buffer.from(body);
    if (body === undefined) return undefined;
    headers['Content-Type'] ??= 'application/json';
    return Buffer.from(JSON.stringify(body));
  }

  private async raw(path: string, opts: RequestOptions, versioned: boolean): Promise<IncomingMessage> {
    const prefix = versioned ? `/v${await this.apiVersion()}` : '';
    const headers: Record<string, string> = { ...opts.headers };
    const payload = this.payload(opts.body, headers);
    if (Buffer.isBuffer(payload)) headers['Content-Length'] = String(payload.length);
    const http = await loadHttp();
    this.agent ??= new http.Agent({ keepAlive: true, maxSockets: 8 });
    return new Promise((resolve, reject) => {
      const req = http.request({
        ...this.target(),
        agent: this.agent,
        method: opts.method ?? 'GET',
        path: `${prefix}${path}${encodeQuery(opts.query)}`,
        headers,
        signal: opts.signal,
      });
      req.on('response', resolve);
      req.on('error', (e) => reject(this.connError(e)));
      if (payload === undefined) req.end();
      else if (Buffer.isBuffer(payload)) req.end(payload);
      else {
        payload.on('error', (e) => req.destroy(e));
        payload.pipe(req);
      }
    });
  }

  private connError(e: Error & { code?: string }): Error {
    if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED' || e.code === 'EACCES') return new ConnectionError(this.host.url, e);
    return e;
  }
}

/** Encodes a query object; arrays repeat the key, booleans become 1/0, empty values are dropped. */
export function encodeQuery(q: Record<string, QueryValue> | undefined): string {
  if (!q) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null) continue;
    const vals = Array.isArray(v) ? v : [typeof v === 'boolean' ? (v ? '1' : '0') : String(v)];
    for (const x of vals) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(x)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/** Compares dotted versions numerically (`1.9` < `1.43`). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Reads a whole stream into one buffer. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks);
}

async function apiErrorFrom(status: number, body: Buffer): Promise<ApiError> {
  const text = body.toString('utf8').trim();
  let message = text;
  try {
    const j = JSON.parse(text) as { message?: unknown };
    if (j && typeof j.message === 'string') message = j.message;
  } catch {
    // plain-text error body
  }
  return new ApiError(status, message || (await loadHttp()).STATUS_CODES[status] || `status ${status}`);
}

/** Docker's client takes every status below 400 as success (304 "not modified" on a stop of a stopped container). */
function ok(status: number | undefined): boolean {
  return status !== undefined && status >= 200 && status < 400;
}

function str(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}

function isReadable(x: unknown): x is Readable {
  return typeof x === 'object' && x !== null && typeof (x as Readable).pipe === 'function' && typeof (x as Readable).on === 'function';
}
