import http from 'node:http';

/** A raw Engine API answer. */
export interface ApiResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Body parsed as JSON (throws with the body in the message when it is not JSON). */
  json<T = any>(): T;
}

/**
 * One HTTP request to an Engine API unix socket (the raw wire, no client in between).
 * @example const r = await apiRequest('/run/berth.sock', 'GET', '/_ping'); // r.body === 'OK'
 */
export function apiRequest(
  socketPath: string,
  method: string,
  path: string,
  body?: unknown,
  opts: { timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  const headers: Record<string, string> = { Host: 'localhost', ...opts.headers };
  if (payload) {
    headers['Content-Type'] ??= 'application/json';
    headers['Content-Length'] = String(payload.length);
  }
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path, headers, timeout: opts.timeoutMs ?? 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: text,
          json() {
            try {
              return JSON.parse(text);
            } catch {
              throw new Error(`${method} ${path}: expected JSON, got ${res.statusCode}: ${text.slice(0, 500)}`);
            }
          },
        });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** True when GET /_ping on the socket answers 200 "OK" within `timeoutMs`. */
export async function ping(socketPath: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const r = await apiRequest(socketPath, 'GET', '/_ping', undefined, { timeoutMs });
    return r.status === 200 && r.body === 'OK';
  } catch {
    return false;
  }
}
