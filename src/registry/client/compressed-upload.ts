import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { LayerRecord } from '../../images/image-index.js';
import { EngineError } from '../../shared/errors.js';
import { locationOf, startUpload, withDigest } from './blob-uploader.js';
import type { ClientState } from './client-state.js';
import type { RegistryContent } from './content-deps.js';
import { discard } from './http-request.js';
import { compressLayer, type PushBlob } from './layer-compressor.js';
import { MEDIA } from './media-types.js';
import { responseError } from './registry-errors.js';
import type { RegistrySession } from './registry-session.js';

/** One plain layer to gzip and upload in a single pass. */
export interface CompressedUploadJob {
  session: RegistrySession;
  repo: string;
  layer: LayerRecord;
  /** Uncompressed bytes read so far / the layer's plain size. */
  onBytes?: (current: number, total: number) => void;
}

/**
 * Pushes a plain layer whose gzip is not made yet, the way dockerd does: the layer is
 * compressed while it streams to the registry (one chunked PATCH), and the same bytes go
 * into the content store (hashed once there). The closing PUT names the digest only after
 * the local blob is committed and verified, so the registry and the cache hold the same
 * blob; diffID -> compressed digest is remembered for later pushes. On any failure the
 * local ingest is dropped and the upload session cancelled.
 */
export async function uploadCompressed(job: CompressedUploadJob, content: RegistryContent, state: ClientState): Promise<PushBlob> {
  const { session, repo, layer } = job;
  const scopes = [`repository:${repo}:pull,push`];
  const location = await startUpload(session, repo);
  const w = await content.openWriter();
  const body = new PassThrough({ highWaterMark: 1 << 20 });
  let plain = 0;
  const gz = compressLayer(layer, content, (n) => {
    plain += n;
    job.onBytes?.(plain, layer.size);
  });
  const patch = session.request(location, { method: 'PATCH', scopes, body, headers: { 'Content-Type': 'application/octet-stream' } });
  const early = patch.then(
    () => Promise.reject(new EngineError('unavailable', 'failed to upload layer: registry answered before the upload finished')),
    (err: unknown) => Promise.reject(err),
  );
  early.catch(() => undefined);
  try {
    for await (const chunk of gz) {
      const more = body.write(chunk);
      await w.write(chunk);
      if (!more) await Promise.race([once(body, 'drain'), early]);
    }
    body.end();
    const res = await patch;
    if (res.statusCode !== 202 && res.statusCode !== 204) throw await responseError(res);
    discard(res);
    const size = w.offset;
    const digest = await w.commit();
    const put = await session.request(withDigest(locationOf(res, 'upload blob'), digest), { method: 'PUT', scopes, headers: { 'Content-Length': 0 } });
    if (put.statusCode !== 201 && put.statusCode !== 204) throw await responseError(put);
    discard(put);
    const blob = { digest, size, mediaType: MEDIA.dockerLayerGzip };
    state.setCompressed(layer.diffId, blob);
    void state.save();
    return blob;
  } catch (err) {
    body.destroy();
    (gz as unknown as { destroy?: () => void }).destroy?.();
    await w.abort();
    void session.request(location, { method: 'DELETE', scopes }).then(discard, () => undefined);
    throw err;
  }
}
