import type { Digest } from '../../shared/digest.js';
import type { LayerRecord } from '../../images/image-index.js';
import type { ClientState } from './client-state.js';
import type { RegistryContent } from './content-deps.js';
import { parallelGzip } from './parallel-gzip.js';
import { isPlainLayer, MEDIA } from './media-types.js';

/** The blob push sends for a layer. */
export interface PushBlob {
  digest: Digest;
  size: number;
  mediaType: string;
}

/**
 * The blob to push for a stored layer when it is known without compressing: compressed
 * layers go as stored; a plain tar goes as the gzip made by an earlier push (diffID ->
 * compressed digest remembered in the client state) while that blob is still stored.
 * Undefined: the layer has to be compressed (see `compressLayer` / `uploadCompressed`).
 */
export async function knownPushBlob(layer: LayerRecord, content: RegistryContent, state: ClientState): Promise<PushBlob | undefined> {
  if (!isPlainLayer(layer.mediaType)) return { digest: layer.digest, size: layer.size, mediaType: layer.mediaType };
  const known = state.compressed(layer.diffId);
  if (known && (await content.has(known.digest))) return known;
  return undefined;
}

/**
 * The gzip stream of a stored plain layer (deterministic: no name, mtime 0, fixed blocks
 * compressed in parallel); `onPlain` counts the uncompressed bytes read.
 */
export function compressLayer(layer: LayerRecord, content: RegistryContent, onPlain?: (n: number) => void): NodeJS.ReadableStream & AsyncIterable<Buffer> {
  const src = content.createReadStream(layer.digest);
  const counted = onPlain
    ? (async function* count() {
        for await (const c of src) {
          onPlain((c as Buffer).length);
          yield c as Buffer;
        }
      })()
    : (src as AsyncIterable<Buffer>);
  return parallelGzip(counted);
}

/**
 * The blob to push for a stored layer, compressing a plain tar into the content store once
 * (cached: re-pushes send identical bytes without compressing again).
 */
export async function pushBlobFor(layer: LayerRecord, content: RegistryContent, state: ClientState): Promise<PushBlob> {
  const known = await knownPushBlob(layer, content, state);
  if (known) return known;
  const w = await content.openWriter();
  try {
    await w.pipeFrom(compressLayer(layer, content));
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
