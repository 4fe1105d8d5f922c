import { createGzip } from 'node:zlib';
import type { Digest } from '../../shared/digest.js';
import type { LayerRecord } from '../../images/image-index.js';
import type { ClientState } from './client-state.js';
import type { RegistryContent } from './content-deps.js';
import { isPlainLayer, MEDIA } from './media-types.js';

/** The blob push sends for a layer. */
export interface PushBlob {
  digest: Digest;
  size: number;
  mediaType: string;
}

/**
 * The blob to push for a stored layer: compressed layers go as stored; a plain tar is
 * gzipped once (deterministic: no name, mtime 0) and the result cached in the content store
 * with diffID -> compressed digest remembered, so re-pushes send identical bytes.
 */
export async function pushBlobFor(layer: LayerRecord, content: RegistryContent, state: ClientState): Promise<PushBlob> {
  if (!isPlainLayer(layer.mediaType)) return { digest: layer.digest, size: layer.size, mediaType: layer.mediaType };
  const known = state.compressed(layer.diffId);
  if (known && (await content.has(known.digest))) return known;
  const w = await content.openWriter();
  try {
    const gz = createGzip({ level: 6 });
    const src = content.createReadStream(layer.digest);
    src.once('error', (e) => gz.destroy(e));
    src.pipe(gz);
    await w.pipeFrom(gz);
    const size = w.offset;
    const digest = await w.commit();
    const blob = { digest, size, mediaType: MEDIA.dockerLayerGzip };
    state.setCompressed(layer.diffId, blob);
    await state.save();
    return blob;
  } catch (err) {
    await w.abort();
    throw err;
  }
}
