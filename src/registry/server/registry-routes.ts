import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { isDigest, type Digest } from '../../shared/digest.js';
import { RegistryError } from './registry-error.js';
import type { RegistryStorage } from './registry-storage.js';
import { searchRepositories } from './search.js';

/** One handler per route: the path's named captures are passed in `p`. */
type Handler = (req: IncomingMessage, res: ServerResponse, p: Record<string, string>, url: URL) => Promise<void>;

const NAME = '(?<name>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)';
const REF = '(?<ref>[A-Za-z0-9_][A-Za-z0-9._-]{0,127}|sha256:[a-f0-9]{64})';
const DIGEST = '(?<digest>[a-z0-9]+:[a-zA-Z0-9=_-]+)';


function send(res: ServerResponse, status: number, headers: Record<string, string | number> = {}, body?: string | Buffer): void {
  res.writeHead(status, { 'Content-Length': body ? Buffer.byteLength(body) : 0, ...headers });
  res.end(body);
}

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(res, status, { 'Content-Type': 'application/json', ...headers }, JSON.stringify(value));
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  // Read to the end even past the limit (discarding) so the client sees the 413, not a reset.
  for await (const c of req) {
    n += (c as Buffer).length;
    if (n <= limit) chunks.push(c as Buffer);
  }
  if (n > limit) throw new RegistryError('MANIFEST_INVALID', { reason: `manifest exceeds ${limit} bytes` }, 'manifest too large', 413);
  return Buffer.concat(chunks);
}

function parseRange(header: string | undefined, size: number): { start: number; end: number } | undefined | 'invalid' {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'invalid';
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end || start >= size) return 'invalid';
  return { start, end };
}

/** Paginate a sorted list with `n` and `last`, adding an RFC 5988 Link header when cut. */
function paginate(items: string[], url: URL, res: ServerResponse): string[] {
  const last = url.searchParams.get('last');
  const nRaw = url.searchParams.get('n');
  let out = last ? items.filter((t) => t > last) : items;
  if (nRaw !== null) {
    const n = Number(nRaw);
    if (out.length > n) {
      out = out.slice(0, n);
      const next = new URL(url.pathname, 'http://x');
      next.searchParams.set('n', String(n));
      next.searchParams.set('last', out[out.length - 1] ?? '');
      res.setHeader('Link', `<${next.pathname}${next.search}>; rel="next"`);
    }
  }
  return out;
}

function uploadLocation(name: string, uuid: string): string {
  return `/v2/${name}/blobs/uploads/${uuid}`;
}

function uploadAccepted(res: ServerResponse, name: string, uuid: string, offset: number, status = 202): void {
  send(res, status, {
    Location: uploadLocation(name, uuid),
    Range: `0-${Math.max(0, offset - 1)}`,
    'Docker-Upload-UUID': uuid,
    'OCI-Chunk-Min-Length': 0,
  });
}

export function registryRoutes(store: RegistryStorage): [string, RegExp, Handler][] {
  const manifestHandler: Handler = async (req, res, p) => {
    const { digest, record } = await store.resolveManifest(p.name, p.ref);
    const headers = { 'Content-Type': record.mediaType, 'Docker-Content-Digest': digest, 'Content-Length': record.size, ETag: `"${digest}"` };
    if (req.method === 'HEAD') {
      res.writeHead(200, headers);
      res.end();
      return;
    }
    const body = await store.readManifest(digest);
    res.writeHead(200, headers);
    res.end(body);
  };

  const blobHandler: Handler = async (req, res, p) => {
    if (!isDigest(p.digest)) throw new RegistryError('DIGEST_INVALID', { digest: p.digest });
    const { size } = await store.statBlob(p.name, p.digest);
    const range = parseRange(req.headers.range, size);
    if (range === 'invalid') {
      send(res, 416, { 'Content-Range': `bytes */${size}` });
      return;
    }
    const base = { 'Docker-Content-Digest': p.digest, 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes', ETag: `"${p.digest}"` };
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...base, 'Content-Length': size });
      res.end();
      return;
    }
    if (range) {
      res.writeHead(206, { ...base, 'Content-Length': range.end - range.start + 1, 'Content-Range': `bytes ${range.start}-${range.end}/${size}` });
      await pipeline(store.readBlob(p.digest, range), res);
      return;
    }
    res.writeHead(200, { ...base, 'Content-Length': size });
    await pipeline(store.readBlob(p.digest), res);
  };

  return [
    ['GET', /^\/v2\/?$/, async (_q, res) => json(res, 200, {})],
    ['GET', /^\/v2\/_catalog$/, async (_q, res, _p, url) => json(res, 200, { repositories: paginate(await store.repos.names(), url, res) })],
    ['GET', new RegExp(`^/v2/${NAME}/tags/list$`), async (_q, res, p, url) => {
      json(res, 200, { name: p.name, tags: paginate(await store.tags(p.name), url, res) });
    }],
    ['GET', new RegExp(`^/v2/${NAME}/manifests/${REF}$`), manifestHandler],
    ['HEAD', new RegExp(`^/v2/${NAME}/manifests/${REF}$`), manifestHandler],
    ['PUT', new RegExp(`^/v2/${NAME}/manifests/${REF}$`), async (req, res, p) => {
      const body = await readBody(req, 4 * 1024 * 1024);
      const { digest, subject } = await store.putManifest(p.name, p.ref, body, req.headers['content-type']);
      send(res, 201, {
        Location: `/v2/${p.name}/manifests/${digest}`,
        'Docker-Content-Digest': digest,
        ...(subject ? { 'OCI-Subject': subject } : {}),
      });
    }],
    ['DELETE', new RegExp(`^/v2/${NAME}/manifests/${REF}$`), async (_q, res, p) => {
      await store.deleteManifest(p.name, p.ref);
      send(res, 202);
    }],
    ['GET', new RegExp(`^/v2/${NAME}/blobs/${DIGEST}$`), blobHandler],
    ['HEAD', new RegExp(`^/v2/${NAME}/blobs/${DIGEST}$`), blobHandler],
    ['DELETE', new RegExp(`^/v2/${NAME}/blobs/${DIGEST}$`), async (_q, res, p) => {
      if (!isDigest(p.digest)) throw new RegistryError('DIGEST_INVALID', { digest: p.digest });
      await store.deleteBlob(p.name, p.digest);
      send(res, 202);
    }],
    ['POST', new RegExp(`^/v2/${NAME}/blobs/uploads/?$`), async (req, res, p, url) => {
      const mount = url.searchParams.get('mount');
      const from = url.searchParams.get('from');
      if (mount && from && isDigest(mount) && (await store.mountBlob(p.name, from, mount))) {
        send(res, 201, { Location: `/v2/${p.name}/blobs/${mount}`, 'Docker-Content-Digest': mount });
        return;
      }
      const uuid = await store.startUpload(p.name);
      const digest = url.searchParams.get('digest');
      if (digest) {
        await store.completeUpload(p.name, uuid, digest, req);
        send(res, 201, { Location: `/v2/${p.name}/blobs/${digest}`, 'Docker-Content-Digest': digest });
        return;
      }
      req.resume();
      uploadAccepted(res, p.name, uuid, 0);
    }],
    ['GET', new RegExp(`^/v2/${NAME}/blobs/uploads/(?<uuid>[^/]+)$`), async (_q, res, p) => {
      uploadAccepted(res, p.name, p.uuid, await store.uploadOffset(p.name, p.uuid), 204);
    }],
    ['PATCH', new RegExp(`^/v2/${NAME}/blobs/uploads/(?<uuid>[^/]+)$`), async (req, res, p) => {
      const cr = req.headers['content-range'];
      const m = cr ? /^(?:bytes )?(\d+)-(\d+)$/.exec(cr) : null;
      if (cr && !m) throw new RegistryError('RANGE_INVALID', undefined, undefined, 416);
      const offset = await store.appendUpload(p.name, p.uuid, req, m ? Number(m[1]) : undefined);
      uploadAccepted(res, p.name, p.uuid, offset);
    }],
    ['PUT', new RegExp(`^/v2/${NAME}/blobs/uploads/(?<uuid>[^/]+)$`), async (req, res, p, url) => {
      const digest = url.searchParams.get('digest') ?? '';
      await store.completeUpload(p.name, p.uuid, digest, req);
      send(res, 201, { Location: `/v2/${p.name}/blobs/${digest}`, 'Docker-Content-Digest': digest });
    }],
    ['DELETE', new RegExp(`^/v2/${NAME}/blobs/uploads/(?<uuid>[^/]+)$`), async (_q, res, p) => {
      await store.cancelUpload(p.name, p.uuid);
      send(res, 204);
    }],
    ['GET', new RegExp(`^/v2/${NAME}/referrers/${DIGEST}$`), async (_q, res, p, url) => {
      const artifactType = url.searchParams.get('artifactType') ?? undefined;
      const manifests = await store.referrers(p.name, p.digest as Digest, artifactType);
      json(res, 200, { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }, {
        'Content-Type': 'application/vnd.oci.image.index.v1+json',
        ...(artifactType ? { 'OCI-Filters-Applied': 'artifactType' } : {}),
      });
    }],
    ['GET', /^\/v1\/search$/, async (_q, res, _p, url) => {
      json(res, 200, await searchRepositories(store, url.searchParams.get('q') ?? '', Number(url.searchParams.get('n') ?? 25)));
    }],
  ];
}

