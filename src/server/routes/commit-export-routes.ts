import { pipeline } from 'node:stream/promises';
import type { ContainerConfig } from '../../api/types.js';
import type { Route } from '../route-table.js';
import type { RequestContext } from '../context.js';
import type { ContainerBackend } from '../backends.js';
import { readJson } from '../body.js';
import { JSON_SHAPES } from '../../api/json-shapes.js';
import { sendJson } from '../respond.js';
import { boolParam, strParam } from '../query.js';
import { EngineError } from '../../shared/errors.js';

function need<K extends 'commit' | 'exportContainer'>(ctx: RequestContext, k: K): NonNullable<ContainerBackend[K]> {
  const fn = ctx.backends.containers[k];
  if (!fn) throw new EngineError('not-implemented', `${k} is not implemented`);
  return fn.bind(ctx.backends.containers) as NonNullable<ContainerBackend[K]>;
}

/** The body is a container config (create's shape: HostConfig and NetworkingConfig are ignored). */
async function bodyConfig(ctx: RequestContext): Promise<ContainerConfig | undefined> {
  const body = await readJson<(ContainerConfig & { HostConfig?: unknown; NetworkingConfig?: unknown }) | null>(ctx.req, JSON_SHAPES.commit);
  if (!body || typeof body !== 'object') return undefined;
  const { HostConfig: _h, NetworkingConfig: _n, ...config } = body;
  return config;
}

async function commit(ctx: RequestContext): Promise<void> {
  const q = ctx.query;
  const config = await bodyConfig(ctx);
  const r = await need(ctx, 'commit')(q.get('container') ?? '', {
    repo: strParam(q, 'repo'),
    tag: strParam(q, 'tag'),
    comment: q.get('comment') ?? '',
    author: q.get('author') ?? '',
    pause: boolParam(q, 'pause', true),
    changes: q.getAll('changes'),
    config,
  });
  sendJson(ctx.res, 201, { Id: r.id });
}

async function exportRootfs(ctx: RequestContext): Promise<void> {
  const tar = await need(ctx, 'exportContainer')(ctx.params.id);
  ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  try {
    await pipeline(tar, ctx.res);
  } catch {
    tar.destroy();
    if (!ctx.res.destroyed) ctx.res.destroy();
  }
}

/** `docker commit` and `docker export`. */
export const commitExportRoutes: Route[] = [
  { method: 'POST', path: '/commit', handler: commit },
  { method: 'GET', path: '/containers/{id}/export', handler: exportRootfs },
];
