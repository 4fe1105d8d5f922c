import type { IncomingMessage } from 'node:http';
import { Transform } from 'node:stream';
import { EngineError } from '../../shared/errors.js';
import type { Digest } from '../../shared/digest.js';
import type { RegistryContent } from './content-deps.js';
import { discard } from './http-request.js';
import { responseError } from './registry-errors.js';
import type { RegistrySession } from './registry-session.js';

/** What happened to one blob on push. */
export type UploadOutcome = { kind: 'exists' } | { kind: 'mounted'; from: string } | { kind: 'pushed' };

/** One blob to make present in `repo`. */
export interface UploadJob {
  session: RegistrySession;
  repo: string;
  blob: { digest: Digest; size: number };
  /** Other repositories on the same registry that hold the blob (cross-repo mount). */
  mountFrom?: string[];
  onBytes?: (current: number, total: number) => void;
}

/** The Location header of an upload response. */
export function locationOf(res: IncomingMessage, what: string): string {
  const loc = res.headers.location;
  if (!loc) throw new EngineError('unavailable', `failed to ${what}: registry sent no upload location`);
  return loc;
}

/** An upload location with `digest=` added (for the closing PUT). */
export function withDigest(loc: string, digest: Digest): string {
  return `${loc}${loc.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
}

/** POST a new upload session; resolves to its location. */
export async function startUpload(session: RegistrySession, repo: string): Promise<string> {
  const res = await session.request(`/v2/${repo}/blobs/uploads/`, { method: 'POST', scopes: [`repository:${repo}:pull,push`], headers: { 'Content-Length': 0 } });
  if (res.statusCode !== 202) throw await responseError(res);
  discard(res);
  return locationOf(res, 'start upload');
}

/**
 * Makes a blob present in a repository: HEAD first, then a cross-repo mount when another
 * repository on the registry has it, else a streamed upload (POST, one PATCH, PUT ?digest=).
 */
export async function uploadBlob(job: UploadJob, content: RegistryContent): Promise<UploadOutcome> {
  const { session, repo, blob } = job;
  const scopes = [`repository:${repo}:pull,push`];
  const head = await session.request(`/v2/${repo}/blobs/${blob.digest}`, { method: 'HEAD', scopes });
  discard(head);
  if (head.statusCode === 200) return { kind: 'exists' };
  if (head.statusCode !== 404) throw await responseError(head);

  let location: string | undefined;
  for (const from of job.mountFrom ?? []) {
    if (from === repo) continue;
    const res = await session.request(`/v2/${repo}/blobs/uploads/?mount=${encodeURIComponent(blob.digest)}&from=${encodeURIComponent(from)}`, {
      method: 'POST',
      scopes: [...scopes, `repository:${from}:pull`],
      headers: { 'Content-Length': 0 },
    });
    discard(res);
    if (res.statusCode === 201) return { kind: 'mounted', from };
    if (res.statusCode === 202) {
      location = locationOf(res, 'start upload');
      break;
    }
  }
  location ??= await startUpload(session, repo);
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      sent += chunk.length;
      job.onBytes?.(sent, blob.size);
      cb(null, chunk);
    },
  });
  const src = content.createReadStream(blob.digest);
  src.once('error', (e) => counter.destroy(e));
  src.pipe(counter);
  const patch = await session.request(location, {
    method: 'PATCH',
    scopes,
    body: counter,
    headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': blob.size },
  });
  if (patch.statusCode !== 202 && patch.statusCode !== 204) throw await responseError(patch);
  discard(patch);
  const put = await session.request(withDigest(locationOf(patch, 'upload blob'), blob.digest), { method: 'PUT', scopes, headers: { 'Content-Length': 0 } });
  if (put.statusCode !== 201 && put.statusCode !== 204) throw await responseError(put);
  discard(put);
  return { kind: 'pushed' };
}
