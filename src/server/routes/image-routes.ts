import type { Route } from '../route-table.js';
import type { RequestContext } from '../context.js';
import { sendJson, sendEmpty } from '../respond.js';
import { boolParam, filtersParam, strParam } from '../query.js';
import { streamProgress } from '../json-stream.js';
import { notFound, invalid, EngineError } from '../../shared/errors.js';

async function save(ctx: RequestContext, names: string[]): Promise<void> {
  const tar = await ctx.backends.images.save(names);
  ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  tar.on('error', () => ctx.res.destroy());
  ctx.signal.addEventListener('abort', () => tar.destroy());
  tar.pipe(ctx.res);
  await new Promise<void>((resolve) => ctx.res.once('close', resolve));
}

/** `docker pull` reference the way the CLI sends it: `fromImage=busybox&tag=latest` (tag may be a digest). */
function pullTarget(ctx: RequestContext): { image: string; tag?: string; platform?: string } {
  const image = strParam(ctx.query, 'fromImage') ?? '';
  return { image, tag: strParam(ctx.query, 'tag'), platform: strParam(ctx.query, 'platform') };
}

/** dockerd's error for an image that cannot be pulled (repository unknown / not reachable). */
export function pullDenied(image: string): Error {
  const familiar = image.replace(/^docker\.io\//, '').replace(/^library\//, '').replace(/[:@].*$/, '');
  return notFound(`pull access denied for ${familiar}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`);
}

async function create(ctx: RequestContext): Promise<void> {
  const { query } = ctx;
  const fromSrc = strParam(query, 'fromSrc');
  if (fromSrc !== undefined) {
    if (fromSrc !== '-') throw invalid(`importing from a URL is not supported: ${fromSrc}`);
    const opts = {
      repo: strParam(query, 'repo'),
      tag: strParam(query, 'tag'),
      changes: query.getAll('changes').filter((c) => c !== ''),
      message: strParam(query, 'message'),
      platform: strParam(query, 'platform'),
    };
    // the service reports the new image id as the last `{"status": id}` message
    return streamProgress(ctx.res, async (out) => {
      await ctx.backends.images.importRootfs(ctx.req, opts, (m) => out.write(m));
    });
  }
  const target = pullTarget(ctx);
  if (!target.image) throw invalid('image name cannot be blank');
  const puller = ctx.backends.puller;
  if (!puller) throw pullDenied(target.image);
  const authConfig = ctx.req.headers['x-registry-auth'];
  return streamProgress(ctx.res, (out) =>
    puller.pull(target, { authConfig: typeof authConfig === 'string' ? authConfig : undefined }, (m) => out.write(m)),
  );
}

async function push(ctx: RequestContext): Promise<void> {
  const pusher = ctx.backends.pusher;
  if (!pusher) throw new EngineError('not-implemented', 'pushing images is not available in this build of berthd');
  const authConfig = ctx.req.headers['x-registry-auth'];
  const ref = { name: ctx.params.name, tag: strParam(ctx.query, 'tag') };
  return streamProgress(ctx.res, (out) => pusher.push(ref, { authConfig: typeof authConfig === 'string' ? authConfig : undefined }, (m) => out.write(m)));
}

async function search(ctx: RequestContext): Promise<void> {
  const searcher = ctx.backends.searcher;
  if (!searcher) throw new EngineError('not-implemented', 'searching images is not available in this build of berthd');
  const term = strParam(ctx.query, 'term') ?? '';
  const limitS = strParam(ctx.query, 'limit');
  const limit = limitS ? Number(limitS) : undefined;
  if (limit !== undefined && !Number.isInteger(limit)) throw invalid(`invalid limit: ${limitS}`);
  const authConfig = ctx.req.headers['x-registry-auth'];
  const results = await searcher.search({ term, limit, filters: filtersParam(ctx.query), authConfig: typeof authConfig === 'string' ? authConfig : undefined });
  sendJson(ctx.res, 200, results);
}

/** Image endpoints. `{name*}` spans slashes (`localhost:5000/a/b:tag`). */
export const imageRoutes: Route[] = [
  {
    method: 'GET',
    path: '/images/json',
    handler: async (ctx) =>
      sendJson(ctx.res, 200, await ctx.backends.images.list({ all: boolParam(ctx.query, 'all'), filters: filtersParam(ctx.query), digests: boolParam(ctx.query, 'digests') })),
  },
  { method: 'GET', path: '/images/search', handler: search },
  { method: 'GET', path: '/images/get', handler: (ctx) => save(ctx, ctx.query.getAll('names')) },
  {
    method: 'POST',
    path: '/images/load',
    handler: (ctx) => streamProgress(ctx.res, (out) => ctx.backends.images.load(ctx.req, (m) => out.write(m)), { inStream: true }),
  },
  { method: 'POST', path: '/images/create', handler: create },
  {
    method: 'POST',
    path: '/images/prune',
    handler: async (ctx) => sendJson(ctx.res, 200, await ctx.backends.images.prune({ filters: filtersParam(ctx.query) })),
  },
  { method: 'GET', path: '/images/{name*}/json', handler: async (ctx) => sendJson(ctx.res, 200, await ctx.backends.images.inspect(ctx.params.name)) },
  { method: 'GET', path: '/images/{name*}/history', handler: async (ctx) => sendJson(ctx.res, 200, await ctx.backends.images.history(ctx.params.name)) },
  { method: 'GET', path: '/images/{name*}/get', handler: (ctx) => save(ctx, [ctx.params.name]) },
  { method: 'POST', path: '/images/{name*}/push', handler: push },
  {
    method: 'POST',
    path: '/images/{name*}/tag',
    handler: async (ctx) => {
      await ctx.backends.images.tag(ctx.params.name, strParam(ctx.query, 'repo') ?? '', strParam(ctx.query, 'tag'));
      sendEmpty(ctx.res, 201);
    },
  },
  {
    method: 'DELETE',
    path: '/images/{name*}',
    handler: async (ctx) =>
      sendJson(ctx.res, 200, await ctx.backends.images.remove(ctx.params.name, { force: boolParam(ctx.query, 'force'), noprune: boolParam(ctx.query, 'noprune') })),
  },
];
