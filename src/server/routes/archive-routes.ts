import { pipeline } from 'node:stream/promises';
import type { Route } from '../route-table.js';
import type { RequestContext } from '../context.js';
import type { ContainerBackend } from '../backends.js';
import { sendEmpty, sendJson } from '../respond.js';
import { boolParam, strParam } from '../query.js';
import { EngineError } from '../../shared/errors.js';

const STAT_HEADER = 'X-Docker-Container-Path-Stat';

function need<K extends 'archiveStat' | 'archiveGet' | 'archivePut' | 'changes'>(ctx: RequestContext, k: K): NonNullable<ContainerBackend[K]> {
  const fn = ctx.backends.containers[k];
  if (!fn) throw new EngineError('not-implemented', `${k} is not implemented`);
  return fn.bind(ctx.backends.containers) as NonNullable<ContainerBackend[K]>;
}

const statHeader = (stat: object): string => Buffer.from(JSON.stringify(stat)).toString('base64');

async function head(ctx: RequestContext): Promise<void> {
  const stat = await need(ctx, 'archiveStat')(ctx.params.id, strParam(ctx.query, 'path'));
  ctx.res.setHeader(STAT_HEADER, statHeader(stat));
  sendEmpty(ctx.res, 200);
}

async function get(ctx: RequestContext): Promise<void> {
  const { stat, tar } = await need(ctx, 'archiveGet')(ctx.params.id, strParam(ctx.query, 'path'));
  ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar', [STAT_HEADER]: statHeader(stat) });
  try {
    await pipeline(tar, ctx.res);
  } catch {
    tar.destroy();
    if (!ctx.res.destroyed) ctx.res.destroy();
  }
}

async function put(ctx: RequestContext): Promise<void> {
  await need(ctx, 'archivePut')(ctx.params.id, strParam(ctx.query, 'path'), ctx.req, {
    noOverwriteDirNonDir: boolParam(ctx.query, 'noOverwriteDirNonDir'),
    copyUIDGID: boolParam(ctx.query, 'copyUIDGID'),
  });
  sendEmpty(ctx.res, 200);
}

async function changes(ctx: RequestContext): Promise<void> {
  const rows = await need(ctx, 'changes')(ctx.params.id);
  sendJson(ctx.res, 200, rows.length ? rows : null);
}

/** `docker cp` (archive) and `docker diff` (changes) endpoints. */
export const archiveRoutes: Route[] = [
  { method: 'HEAD', path: '/containers/{id}/archive', handler: head },
  { method: 'GET', path: '/containers/{id}/archive', handler: get },
  { method: 'PUT', path: '/containers/{id}/archive', handler: put },
  { method: 'GET', path: '/containers/{id}/changes', handler: changes },
];
