import type { ContainerUpdateRequest } from '../api/types.js';
import type { Transport } from './transport.js';

/**
 * `POST /containers/{id}/update`: new resource limits and/or restart policy; resolves to the
 * daemon's warnings (none: an empty list).
 * @example const warnings = await containerUpdate(t, 'web', { Memory: 64 << 20, MemorySwap: 128 << 20 })
 */
export async function containerUpdate(t: Transport, container: string, update: ContainerUpdateRequest): Promise<string[]> {
  const r = await t.json<{ Warnings: string[] | null }>(`/containers/${encodeURIComponent(container)}/update`, { method: 'POST', body: update });
  return r.Warnings ?? [];
}
