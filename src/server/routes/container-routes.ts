import type { Route } from '../route-table.js';
import type { RequestContext } from '../context.js';
import type { ContainerCreateRequest } from '../../api/types.js';
import { sendJson, sendEmpty } from '../respond.js';
import { boolParam, filtersParam, intParam, strParam } from '../query.js';
import { JSON_SHAPES } from '../../api/json-shapes.js';
import { readJson } from '../body.js';
import { versionAtLeast } from '../api-version.js';
import { invalid, EngineError } from '../../shared/errors.js';

const id = (ctx: RequestContext): string => ctx.params.id;

async function create(ctx: RequestContext): Promise<void> {
  const body = await readJson<ContainerCreateRequest>(ctx.req, JSON_SHAPES.containerCreate);
  if (body === undefined || body === null) throw invalid('config cannot be empty in order to create a container');
  if (typeof body !== 'object' || Array.isArray(body)) throw invalid('json: cannot unmarshal into Go value of type container.Config');
  const created = await ctx.backends.containers.create(body, { name: strParam(ctx.query, 'name'), platform: strParam(ctx.query, 'platform') });
  sendJson(ctx.res, 201, { Id: created.Id, Warnings: created.Warnings ?? [] });
}

/** stop/restart options; `signal` exists from API 1.42. */
function stopOpts(ctx: RequestContext): { timeout?: number; signal?: string } {
  const signal = versionAtLeast(ctx.version, '1.42') ? strParam(ctx.query, 'signal') : undefined;
  return { timeout: intParam(ctx.query, 't'), signal };
}

/** A 204 route calling one container operation. */
function op(path: string, run: (ctx: RequestContext) => Promise<void>): Route {
  return {
    method: 'POST',
    path,
    handler: async (ctx) => {
      await run(ctx);
      sendEmpty(ctx.res, 204);
    },
  };
}

function optional<T>(fn: T | undefined, what: string): T {
  if (!fn) throw new EngineError('not-implemented', `${what} is not implemented`);
  return fn;
}

/** Container lifecycle endpoints (streams live in container-io-routes.ts). */
export const containerRoutes: Route[] = [
  { method: 'POST', path: '/containers/create', handler: create },
  {
    method: 'GET',
    path: '/containers/json',
    handler: async (ctx) => {
      const q = ctx.query;
      const list = await ctx.backends.containers.list({ all: boolParam(q, 'all'), limit: intParam(q, 'limit'), size: boolParam(q, 'size'), filters: filtersParam(q) });
      sendJson(ctx.res, 200, list);
    },
  },
  {
    method: 'POST',
    path: '/containers/prune',
    handler: async (ctx) => {
      const c = ctx.backends.containers;
      const prune = optional(c.prune, 'container prune').bind(c);
      sendJson(ctx.res, 200, await prune({ filters: filtersParam(ctx.query) }));
    },
  },
  {
    method: 'GET',
    path: '/containers/{id}/json',
    handler: async (ctx) => sendJson(ctx.res, 200, await ctx.backends.containers.inspect(id(ctx), { size: boolParam(ctx.query, 'size') })),
  },
  op('/containers/{id}/start', (ctx) => ctx.backends.containers.start(id(ctx))),
  op('/containers/{id}/stop', (ctx) => ctx.backends.containers.stop(id(ctx), stopOpts(ctx))),
  op('/containers/{id}/restart', (ctx) => ctx.backends.containers.restart(id(ctx), stopOpts(ctx))),
  op('/containers/{id}/kill', (ctx) => ctx.backends.containers.kill(id(ctx), strParam(ctx.query, 'signal'))),
  op('/containers/{id}/rename', (ctx) => ctx.backends.containers.rename(id(ctx), ctx.query.get('name') ?? '')),
  op('/containers/{id}/pause', (ctx) => {
    const c = ctx.backends.containers;
    return optional(c.pause, 'pause').call(c, id(ctx));
  }),
  op('/containers/{id}/unpause', (ctx) => {
    const c = ctx.backends.containers;
    return optional(c.unpause, 'unpause').call(c, id(ctx));
  }),
  {
    method: 'GET',
    path: '/containers/{id}/top',
    handler: async (ctx) => {
      const c = ctx.backends.containers;
      sendJson(ctx.res, 200, await optional(c.top, 'top').call(c, id(ctx), strParam(ctx.query, 'ps_args')));
    },
  },
  {
    method: 'DELETE',
    path: '/containers/{id*}',
    handler: async (ctx) => {
      const q = ctx.query;
      await ctx.backends.containers.remove(id(ctx), { force: boolParam(q, 'force'), volumes: boolParam(q, 'v'), link: boolParam(q, 'link') });
      sendEmpty(ctx.res, 204);
    },
  },
];
