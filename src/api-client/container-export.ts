import type { Readable } from 'node:stream';
import type { Transport } from './transport.js';

/**
 * `GET /containers/{id}/export`: the container's flattened root filesystem as a tar stream.
 * @example (await containerExport(t, 'web')).pipe(fs.createWriteStream('web.tar'))
 */
export async function containerExport(t: Transport, id: string): Promise<Readable> {
  return t.request(`/containers/${encodeURIComponent(id)}/export`);
}
