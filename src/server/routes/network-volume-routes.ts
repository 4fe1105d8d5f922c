import type { Route } from '../route-table.js';
import type { RequestContext } from '../context.js';
import type { NetworkBackend } from '../backends.js';
import { sendEmpty, sendJson } from '../respond.js';
import { filtersParam } from '../query.js';
import { JSON_SHAPES, type JsonShape } from '../../api/json-shapes.js';
import { readJson } from '../body.js';
import { EngineError, invalid } from '../../shared/errors.js';
import type { EndpointSettings } from '../../api/types.js';

function networks(ctx: RequestContext): NetworkBackend {
  if (!ctx.backends.networks) throw new EngineError('not-implemented', 'networks are not implemented');
  return ctx.backends.networks;
}

async function body<T>(ctx: RequestContext, shape: JsonShape): Promise<T> {
  const b = await readJson<T>(ctx.req, shape);
  if (b === undefined || b === null || typeof b !== 'object' || Array.isArray(b)) throw invalid('invalid JSON body');
  return b;
}

/** `/networks`: one store call per route (`/volumes` are in volume-routes.ts). */
export const networkVolumeRoutes: Route[] = [
  { method: 'GET', path: '/networks', handler: async (ctx) => sendJson(ctx.res, 200, await networks(ctx).list(filtersParam(ctx.query))) },
  { method: 'POST', path: '/networks/create', handler: async (ctx) => sendJson(ctx.res, 201, await networks(ctx).create(await body(ctx, JSON_SHAPES.networkCreate))) },
  { method: 'POST', path: '/networks/prune', handler: async (ctx) => sendJson(ctx.res, 200, await networks(ctx).prune(filtersParam(ctx.query))) },
  { method: 'GET', path: '/networks/{id}', handler: async (ctx) => sendJson(ctx.res, 200, await networks(ctx).inspect(ctx.params.id)) },
  {
    method: 'DELETE',
    path: '/networks/{id}',
    handler: async (ctx) => {
      await networks(ctx).remove(ctx.params.id);
      sendEmpty(ctx.res, 204);
    },
  },
  {
    method: 'POST',
    path: '/networks/{id}/connect',
    handler: async (ctx) => {
      const b = await body<{ Container?: string; EndpointConfig?: EndpointSettings | null }>(ctx, JSON_SHAPES.networkConnect);
      await networks(ctx).connect(ctx.params.id, b.Container ?? '', b.EndpointConfig ?? {});
      sendEmpty(ctx.res, 200);
    },
  },
  {
    method: 'POST',
    path: '/networks/{id}/disconnect',
    handler: async (ctx) => {
      const b = await body<{ Container?: string; Force?: boolean }>(ctx, JSON_SHAPES.networkDisconnect);
      await networks(ctx).disconnect(ctx.params.id, b.Container ?? '', Boolean(b.Force));
      sendEmpty(ctx.res, 200);
    },
  },
];
