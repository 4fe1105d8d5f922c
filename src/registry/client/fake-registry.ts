import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';

/** Test-only: what the fake registry saw. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  server: 'registry' | 'cdn' | 'token';
}

/** Test-only fault injection for blob GETs. */
export interface BlobFaults {
  /** Drop the connection after this many body bytes, for the first `times` GETs of each blob. */
  dropAfter?: number;
  times?: number;
  /** Serve these bytes instead of the real blob (digest mismatch). */
  replace?: Map<string, Buffer>;
  /** Ignore Range requests (always 200 with the whole blob). */
  noRange?: boolean;
}

const sha = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function listen(s: Server): Promise<string> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `127.0.0.1:${(s.address() as AddressInfo).port}`;
}

/**
 * A tiny in-memory distribution registry for client tests (never used by berthd): manifests
 * by tag/digest, blobs with Range, optional bearer auth with a token server, optional
 * redirect of blob GETs to a second origin ("cdn"), and fault injection.
 */
export class FakeRegistry {
  readonly seen: SeenRequest[] = [];
  readonly blobs = new Map<string, Buffer>();
  readonly manifests = new Map<string, { body: Buffer; type: string }>();
  faults: BlobFaults = {};
  /** Require `Bearer <token>` (token from the token server for user:pass). */
  bearer?: { user: string; pass: string; token: string };
  /** Redirect blob GETs to the cdn origin. */
  redirectBlobs = false;
  address = '';
  cdnAddress = '';
  tokenAddress = '';
  private readonly gets = new Map<string, number>();
  private readonly servers: Server[] = [];

  static async start(): Promise<FakeRegistry> {
    const f = new FakeRegistry();
    const reg = createServer((q, s) => f.handle(q, s, 'registry'));
    const cdn = createServer((q, s) => f.handle(q, s, 'cdn'));
    const tok = createServer((q, s) => f.token(q, s));
    f.servers.push(reg, cdn, tok);
    f.address = await listen(reg);
    f.cdnAddress = await listen(cdn);
    f.tokenAddress = await listen(tok);
    return f;
  }

  /** Adds a blob; returns its descriptor. */
  blob(data: Buffer, mediaType: string): { mediaType: string; digest: string; size: number } {
    const digest = sha(data);
    this.blobs.set(digest, data);
    return { mediaType, digest, size: data.length };
  }

  /** Adds a manifest under its digest and the given tags; returns its descriptor. */
  manifest(doc: object, type: string, tags: string[] = []): { mediaType: string; digest: string; size: number } {
    const body = Buffer.from(JSON.stringify(doc));
    const digest = sha(body);
    for (const k of [digest, ...tags]) this.manifests.set(k, { body, type });
    return { mediaType: type, digest, size: body.length };
  }

  /** GETs of a blob seen so far. */
  blobGets(digest: string): number {
    return this.seen.filter((r) => r.method === 'GET' && r.url.endsWith(`/blobs/${digest}`)).length;
  }

  private token(req: IncomingMessage, res: ServerResponse): void {
    this.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, server: 'token' });
    const b = this.bearer;
    const want = b ? `Basic ${Buffer.from(`${b.user}:${b.pass}`).toString('base64')}` : '';
    if (!b || req.headers.authorization !== want) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'incorrect username or password' }] }));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ token: b.token }));
  }

  private handle(req: IncomingMessage, res: ServerResponse, server: 'registry' | 'cdn'): void {
    this.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, server });
    const url = new URL(req.url ?? '/', 'http://x');
    if (server === 'registry' && this.bearer && req.headers.authorization !== `Bearer ${this.bearer.token}`) {
      res.writeHead(401, {
        'WWW-Authenticate': `Bearer realm="http://${this.tokenAddress}/token",service="fake",scope="repository:x:pull"`,
        'Content-Type': 'application/json',
      });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return;
    }
    if (url.pathname === '/v2/') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
      return;
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (!m) return this.error(res, 404, 'NAME_UNKNOWN', 'repository name not known to registry');
    const [, , kind, ref] = m as unknown as [string, string, string, string];
    if (kind === 'manifests') {
      const man = this.manifests.get(ref);
      if (!man) return this.error(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
      res.writeHead(200, { 'Content-Type': man.type, 'Content-Length': man.body.length, 'Docker-Content-Digest': sha(man.body) });
      res.end(req.method === 'HEAD' ? undefined : man.body);
      return;
    }
    if (server === 'registry' && this.redirectBlobs) {
      res.writeHead(307, { Location: `http://${this.cdnAddress}${url.pathname}` });
      res.end();
      return;
    }
    const real = this.blobs.get(ref);
    if (!real) return this.error(res, 404, 'BLOB_UNKNOWN', 'blob unknown to registry');
    const data = this.faults.replace?.get(ref) ?? real;
    const n = (this.gets.get(ref) ?? 0) + 1;
    this.gets.set(ref, n);
    const range = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
    const start = range && !this.faults.noRange ? Number(range[1]) : 0;
    const body = data.subarray(start);
    const headers: Record<string, string | number> = { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length };
    if (start > 0) headers['Content-Range'] = `bytes ${start}-${data.length - 1}/${data.length}`;
    res.writeHead(start > 0 ? 206 : 200, headers);
    const drop = this.faults.dropAfter;
    if (req.method === 'GET' && drop !== undefined && body.length > drop && n <= (this.faults.times ?? 1)) {
      res.write(body.subarray(0, drop), () => setTimeout(() => res.destroy(), 20));
      return;
    }
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private error(res: ServerResponse, status: number, code: string, message: string): void {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code, message }] }));
  }

  async close(): Promise<void> {
    for (const s of this.servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  }
}
