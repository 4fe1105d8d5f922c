import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const secureAgents = new Map<string, https.Agent>();
const insecureHttpsAgent = new https.Agent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: false });

/** One HTTP request to a registry (or token server). */
export interface HttpOptions {
  method?: string;
  headers?: Record<string, string | number>;
  body?: Buffer | Readable;
  /** Skip TLS verification (insecure registries). */
  insecureTLS?: boolean;
  signal?: AbortSignal;
  /** Trusted CAs for verified TLS (default: node's bundled roots). */
  ca?: string[];
  /** Idle socket timeout in ms (default 60 s). */
  timeoutMs?: number;
}

/**
 * Sends one request with node's http/https (no redirects followed); resolves with the
 * unread response. Keep-alive agents are shared by the process.
 */
export function httpRequest(url: URL, opts: HttpOptions = {}): Promise<IncomingMessage> {
  const isHttps = url.protocol === 'https:';
  const mod = isHttps ? https : http;
  const agent = isHttps ? (opts.insecureTLS ? insecureHttpsAgent : secureAgent(url.host, opts.ca)) : httpAgent;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, { method: opts.method ?? 'GET', headers: { 'User-Agent': 'berth/1.0', ...opts.headers }, agent, signal: opts.signal });
    req.setTimeout(opts.timeoutMs ?? 60_000, () => req.destroy(new Error(`timeout talking to ${url.host}`)));
    req.once('response', (res) => {
      res.setTimeout(opts.timeoutMs ?? 60_000, () => res.destroy(new Error(`timeout reading from ${url.host}`)));
      resolve(res);
    });
    req.once('error', reject);
    const body = opts.body;
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else {
      body.once('error', (e) => req.destroy(e));
      body.pipe(req);
    }
  });
}

function secureAgent(host: string, ca: string[] | undefined): https.Agent {
  const key = ca ? host : '';
  let a = secureAgents.get(key);
  if (!a) {
    a = new https.Agent({ keepAlive: true, maxSockets: 16, ca });
    secureAgents.set(key, a);
  }
  return a;
}

/** Reads a whole response body (limit guards against a hostile registry). */
export async function readBody(res: IncomingMessage, limit = 64 << 20): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res) {
    n += (c as Buffer).length;
    if (n > limit) {
      res.destroy();
      throw new Error(`response from ${res.url ?? 'registry'} exceeds ${limit} bytes`);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Drains and discards a response body so the socket can be reused. */
export function discard(res: IncomingMessage): void {
  res.resume();
}
