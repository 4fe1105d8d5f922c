import type { ContainerUpdateRequest } from '../../api/types.js';
import { JSON_SHAPES } from '../../api/json-shapes.js';
import { EngineError, invalid } from '../../shared/errors.js';
import { versionAtLeast } from '../api-version.js';
import { readJson } from '../body.js';
import type { RequestContext } from '../context.js';
import { sendJson } from '../respond.js';
import type { Route } from '../route-table.js';

/**
 * `POST /containers/{id}/update`, decoded as dockerd's postContainerUpdate: an empty body is an
 * empty update; `PidsLimit` exists from API 1.40 and `0` or less means unlimited; `KernelMemory`
 * is ignored from 1.42.
 */
async function update(ctx: RequestContext): Promise<void> {
  const c = ctx.backends.containers;
  if (!c.update) throw new EngineError('not-implemented', 'update is not implemented');
  const body = (await readJson<ContainerUpdateRequest | null>(ctx.req, JSON_SHAPES.containerUpdate)) ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) throw invalid('json: cannot unmarshal into Go value of type container.UpdateConfig');
  const req: ContainerUpdateRequest = { ...body };
  if (!versionAtLeast(ctx.version, '1.40')) delete req.PidsLimit;
  if (versionAtLeast(ctx.version, '1.42')) delete req.KernelMemory;
  if (typeof req.PidsLimit === 'number' && req.PidsLimit <= 0) req.PidsLimit = 0;
  sendJson(ctx.res, 200, await c.update.call(c, ctx.params.id, req));
}

/** `docker update`. */
export const containerUpdateRoutes: Route[] = [{ method: 'POST', path: '/containers/{id}/update', handler: update }];
