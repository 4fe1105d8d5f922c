import type { Route } from '../route-table.js';
import type { RequestContext } from '../context.js';
import type { VolumeBackend } from '../backends.js';
import { sendEmpty, sendJson } from '../respond.js';
import { boolParam, filtersParam } from '../query.js';
import { JSON_SHAPES } from '../../api/json-shapes.js';
import { readJson } from '../body.js';
import { versionAtLeast } from '../api-version.js';
import { EngineError, invalid } from '../../shared/errors.js';
import type { Filters } from '../../shared/filters.js';

function volumes(ctx: RequestContext): VolumeBackend {
  if (!ctx.backends.volumes) throw new EngineError('not-implemented', 'volumes are not implemented');
  return ctx.backends.volumes;
}

/** Prune filters per API version: before 1.42 every unused volume goes, as if `all=true` were sent. */
export function pruneFilters(version: string, filters: Filters): Filters {
  if (versionAtLeast(version, '1.42')) return filters;
  const out = new Map(filters);
  out.set('all', [...(filters.get('all') ?? []), 'true']);
  return out;
}

/** `/volumes`: decode, one VolumeBackend call, encode. */
export const volumeRoutes: Route[] = [
  { method: 'GET', path: '/volumes', handler: async (ctx) => sendJson(ctx.res, 200, await volumes(ctx).list(filtersParam(ctx.query))) },
  {
    method: 'POST',
    path: '/volumes/create',
    handler: async (ctx) => {
      const b = await readJson<Record<string, unknown>>(ctx.req, JSON_SHAPES.volumeCreate);
      if (b !== undefined && b !== null && (typeof b !== 'object' || Array.isArray(b))) throw invalid('json: cannot unmarshal into Go value of type volume.CreateOptions');
      sendJson(ctx.res, 201, await volumes(ctx).create(b ?? {}));
    },
  },
  { method: 'POST', path: '/volumes/prune', handler: async (ctx) => sendJson(ctx.res, 200, await volumes(ctx).prune(pruneFilters(ctx.version, filtersParam(ctx.query)))) },
  { method: 'GET', path: '/volumes/{name}', handler: async (ctx) => sendJson(ctx.res, 200, await volumes(ctx).inspect(ctx.params.name)) },
  {
    method: 'DELETE',
    path: '/volumes/{name}',
    handler: async (ctx) => {
      await volumes(ctx).remove(ctx.params.name, { force: boolParam(ctx.query, 'force') });
      sendEmpty(ctx.res, 204);
    },
  },
];
