import type { ServerResponse } from 'node:http';
import { API_VERSION } from './api-version.js';
import { errorStatus } from './error-status.js';

/** Server identity header value, like dockerd's `Docker/24.0.0 (linux)`. */
export const SERVER_HEADER = 'Docker/24.0.0-berth (linux)';

/** Headers dockerd's middlewares put on every response. */
export const STANDARD_HEADERS: Readonly<Record<string, string>> = {
  'Api-Version': API_VERSION,
  'Docker-Experimental': 'false',
  Ostype: 'linux',
  Server: SERVER_HEADER,
};

export function setStandardHeaders(res: ServerResponse): void {
  for (const [k, v] of Object.entries(STANDARD_HEADERS)) res.setHeader(k, v);
}

/** JSON body with Go's trailing newline. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Status with no body (204, 304, 200-empty). */
export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status);
  res.end();
}

/** `{"message": "..."}` with the status from error-status.ts; 304 carries no body. */
export function sendError(res: ServerResponse, err: unknown): void {
  const status = errorStatus(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (status === 304) return sendEmpty(res, 304);
  const message = err instanceof Error ? err.message : String(err);
  sendJson(res, status, { message });
}
