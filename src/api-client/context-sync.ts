import { CONTEXT_SYNC_PATH, type ContextSyncRequest, type ContextSyncResponse } from '../api/context-sync.js';
import { ApiError } from './api-error.js';
import type { Transport } from './transport.js';

/**
 * `POST /berth/build/context` (berth's extension, src/api/context-sync.ts): which files of
 * the manifest berthd lacks. Undefined when the engine has no such route (Docker, an older
 * berthd): send the whole context then.
 *
 * @example
 *   const s = await contextSync(t, { id, digest }); // {} unless nothing changed: then send the manifest
 *   const s2 = await contextSync(t, { id, entries }); // { session, need: [3, 17] }
 */
export async function contextSync(t: Transport, req: ContextSyncRequest | { json: string }): Promise<ContextSyncResponse | undefined> {
  // a request already serialised (a large manifest: stringified once, for its digest and to send)
  const body = 'json' in req ? req.json : req;
  try {
    return await t.json<ContextSyncResponse>(CONTEXT_SYNC_PATH, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
  } catch (err) {
    if (ApiError.is(err, 404)) return undefined;
    throw err;
  }
}
