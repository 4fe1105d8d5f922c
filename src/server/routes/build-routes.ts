import type { Route } from '../route-table.js';
import type { RequestContext } from '../context.js';
import type { BuildRequest } from '../backends.js';
import { boolParam, intParam, strParam } from '../query.js';
import { streamProgress } from '../json-stream.js';
import { sendJson } from '../respond.js';
import { readJson } from '../body.js';
import { CONTEXT_SESSION_PARAM, CONTEXT_SYNC_PATH, type ContextSyncRequest } from '../../api/context-sync.js';
import { EngineError, invalid } from '../../shared/errors.js';

function jsonParam<T>(q: URLSearchParams, name: string, dflt: T): T {
  const raw = q.get(name);
  if (!raw) return dflt;
  try {
    return JSON.parse(raw) as T;
  } catch {
    throw invalid(`invalid ${name} parameter: ${raw}`);
  }
}

/** `POST /build` query to a BuildRequest (Docker's parameter names and defaults). */
export function buildRequest(q: URLSearchParams): BuildRequest {
  // the docker CLI joins hosts with commas, docker-py repeats the parameter; a JSON array is accepted too
  const extra = q.getAll('extrahosts').flatMap((v) => (v.startsWith('[') ? (jsonParam<string[]>(new URLSearchParams({ extrahosts: v }), 'extrahosts', [])) : v.split(','))).filter(Boolean);
  return {
    tags: q.getAll('t').filter((t) => t !== ''),
    dockerfile: strParam(q, 'dockerfile'),
    buildArgs: jsonParam<Record<string, string | null>>(q, 'buildargs', {}) ?? {},
    target: strParam(q, 'target'),
    noCache: boolParam(q, 'nocache'),
    pull: boolParam(q, 'pull'),
    labels: jsonParam<Record<string, string>>(q, 'labels', {}) ?? {},
    rm: boolParam(q, 'rm', true),
    forceRm: boolParam(q, 'forcerm'),
    quiet: boolParam(q, 'q'),
    networkMode: strParam(q, 'networkmode'),
    platform: strParam(q, 'platform'),
    shmSize: intParam(q, 'shmsize'),
    extraHosts: extra,
    cacheFrom: jsonParam<string[]>(q, 'cachefrom', []) ?? [],
    secrets: jsonParam<Record<string, string>>(q, 'secrets', {}) ?? {},
    contextSession: strParam(q, CONTEXT_SESSION_PARAM),
  };
}

/**
 * The classic builder's progress stream. With `q` the step output is held back: on success
 * only the image ID is written, on failure everything held back and then the error.
 */
async function build(ctx: RequestContext): Promise<void> {
  const builder = ctx.backends.builder;
  if (!builder) throw new EngineError('not-implemented', 'build is not implemented');
  const req = buildRequest(ctx.query);
  await streamProgress(ctx.res, async (out) => {
    const held: string[] = [];
    const progress = {
      stream: (text: string) => (req.quiet ? held.push(text) : out.write({ stream: text })),
      aux: (value: Record<string, unknown>) => { if (!req.quiet) out.write({ aux: value }); },
    };
    try {
      const id = await builder.build(ctx.req, req, progress, ctx.signal);
      if (req.quiet) out.write({ stream: `${id}\n` });
    } catch (err) {
      if (!out.started && held.length === 0) throw err;
      for (const text of held) out.write({ stream: text });
      const message = err instanceof Error ? err.message : String(err);
      const code = (err as { code?: unknown }).code;
      out.write({ errorDetail: typeof code === 'number' ? { code, message } : { message }, error: message });
    }
  });
}

/** `POST /build/prune` (`docker builder prune`, and part of `docker system prune`). */
async function prune(ctx: RequestContext): Promise<void> {
  const builder = ctx.backends.builder;
  if (!builder?.prune) throw new EngineError('not-implemented', 'build cache pruning is not implemented');
  sendJson(ctx.res, 200, await builder.prune());
}

/** `POST /berth/build/context`: berth's incremental context, step 1 (src/api/context-sync.ts). */
async function syncContext(ctx: RequestContext): Promise<void> {
  const builder = ctx.backends.builder;
  if (!builder?.syncContext) throw new EngineError('not-found', 'page not found');
  const body = await readJson<ContextSyncRequest>(ctx.req);
  if (!body) throw invalid('context sync: empty request');
  sendJson(ctx.res, 200, await builder.syncContext(body));
}

export const buildRoutes: Route[] = [
  { method: 'POST', path: '/build', handler: build },
  { method: 'POST', path: '/build/prune', handler: prune },
  { method: 'POST', path: CONTEXT_SYNC_PATH, handler: syncContext },
];
