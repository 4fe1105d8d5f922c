import http from 'node:http';
import https from 'node:https';
import { posix } from 'node:path';
import { EngineError, invalid, notFound } from '../../shared/errors.js';

/** A file fetched for `ADD <url>`. */
export interface Download {
  /** The file's name: the URL path's last element, or Content-Disposition's filename. */
  name: string;
  content: Buffer;
  /** Unix seconds: Last-Modified when the server sent one, else the time of the download. */
  mtime: number;
}

/** Whether an ADD source is a URL (http or https), as the classic builder tells them apart. */
export const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);

const MAX_REDIRECTS = 10;

/** The name a download gets (dockerd's getFilenameForDownload): the URL path's base, else Content-Disposition's. */
function filenameOf(url: URL, headers: http.IncomingHttpHeaders): string {
  const path = decodeURIComponent(url.pathname);
  if (path && !path.endsWith('/')) {
    const base = posix.basename(path);
    if (base) return base;
  }
  const cd = headers['content-disposition'];
  const m = cd ? /(?:^|;)\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(cd) : null;
  const given = m ? (m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1') : '';
  if (given && !given.endsWith('/')) return posix.basename(given);
  return '';
}

/** Go's wording for a failed request (`Get "url": dial tcp 127.0.0.1:1: connect: connection refused`). */
function requestError(url: string, u: URL, err: NodeJS.ErrnoException): EngineError {
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const host = u.hostname.startsWith('[') ? u.hostname : u.hostname.includes(':') ? `[${u.hostname}]` : u.hostname;
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return notFound(`Get "${url}": dial tcp: lookup ${u.hostname}: no such host`);
  if (err.code === 'ECONNREFUSED') return new EngineError('internal', `Get "${url}": dial tcp ${host}:${port}: connect: connection refused`);
  if (err.code === 'EHOSTUNREACH' || err.code === 'ENETUNREACH') return new EngineError('internal', `Get "${url}": dial tcp ${host}:${port}: connect: ${err.code === 'EHOSTUNREACH' ? 'no route to host' : 'network is unreachable'}`);
  return new EngineError('internal', `Get "${url}": ${err.message}`);
}

/**
 * Fetches `url` for `ADD <url>` with the classic builder's rules: redirects followed, a 4xx/5xx
 * answer is an error with its status and body (`failed to GET <url> with status 404 Not Found: ...`),
 * the name comes from the URL (or Content-Disposition), the mtime from Last-Modified.
 *
 * @example const d = await download('http://127.0.0.1:8080/files/a.txt'); // { name: 'a.txt', content, mtime }
 */
export async function download(url: string, signal?: AbortSignal): Promise<Download> {
  const first = new URL(url);
  let current = url;
  for (let hops = 0; ; hops++) {
    const u = new URL(current);
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = (u.protocol === 'https:' ? https : http).get(u, { signal }, resolve);
      req.on('error', (err: NodeJS.ErrnoException) => reject(err.name === 'AbortError' ? new EngineError('internal', 'the build was canceled') : requestError(url, u, err)));
    });
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location && status !== 304) {
      res.resume();
      if (hops >= MAX_REDIRECTS) throw new EngineError('internal', `Get "${url}": stopped after ${MAX_REDIRECTS} redirects`);
      current = new URL(res.headers.location, u).toString();
      continue;
    }
    const parts: Buffer[] = [];
    for await (const c of res) parts.push(c as Buffer);
    const content = Buffer.concat(parts);
    if (status >= 400) {
      const msg = `failed to GET ${url} with status ${status} ${res.statusMessage ?? ''}: ${content.toString('utf8').trim()}`;
      throw status === 404 ? notFound(msg) : new EngineError(status === 401 || status === 403 ? 'forbidden' : 'internal', msg);
    }
    const name = filenameOf(first, res.headers);
    if (!name) throw invalid(`cannot determine filename for source ${url}`);
    const lm = res.headers['last-modified'] ? Date.parse(res.headers['last-modified']) : NaN;
    return { name, content, mtime: Math.floor((Number.isNaN(lm) ? Date.now() : lm) / 1000) };
  }
}
