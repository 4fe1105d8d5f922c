import { CONTEXT_SYNC_PATH, type ContextSyncRequest, type ContextSyncResponse } from '../api/context-sync.js';
import { ApiError } from './api-error.js';
import type { Transport } from './transport.js';

/**
 * `POST /berth/build/context` (berth's extension, src/api/context-sync.ts): which files of
 * the manifest berthd lacks. Undefined when the engine has no such route (Docker, an older
 * berthd): send the whole context then.
 *
 * @example const s = await contextSync(t, { id, entries }); // { session, need: [3, 17] }
 */
export async function contextSync(t: Transport, req: ContextSyncRequest): Promise<ContextSyncResponse | undefined> {
  try {
    return await t.json<ContextSyncResponse>(CONTEXT_SYNC_PATH, { method: 'POST', body: req });
  } catch (err) {
    if (ApiError.is(err, 404)) return undefined;
    throw err;
  }
}
