import type { Route } from '../route-table.js';
import type { RequestContext } from '../context.js';
import { API_VERSION } from '../api-version.js';
import { sendJson } from '../respond.js';
import { filtersParam, timeParam } from '../query.js';
import { JSON_SHAPES } from '../../api/json-shapes.js';
import { readJson } from '../body.js';
import { EngineError, invalid } from '../../shared/errors.js';
import { eventMatcher } from '../../events/event-filter.js';
import type { EngineEvent } from '../../events/event-types.js';

function ping(ctx: RequestContext): void {
  const head = ctx.req.method === 'HEAD';
  ctx.res.writeHead(200, {
    'Api-Version': API_VERSION,
    'Builder-Version': '1',
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    Pragma: 'no-cache',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': head ? '0' : '2',
  });
  ctx.res.end(head ? undefined : 'OK');
}

async function events(ctx: RequestContext): Promise<void> {
  const since = timeParam(ctx.query, 'since');
  const until = timeParam(ctx.query, 'until');
  const match = eventMatcher(filtersParam(ctx.query));
  if (since !== undefined && until !== undefined && until < since) {
    throw invalid(`\`since\` time (${ctx.query.get('since')}) cannot be after \`until\` time (${ctx.query.get('until')})`);
  }
  const { res } = ctx;
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.flushHeaders();
  const send = (e: EngineEvent): void => {
    if (match(e)) res.write(JSON.stringify(e) + '\n');
  };
  const nowSec = Date.now() / 1000;
  const onlyPast = until !== undefined && until <= nowSec;
  // the past (from the daemon's event log) and then live events, with no gap in between
  const off = await ctx.backends.events.stream({ since, until }, send);
  if (onlyPast) {
    off();
    res.end();
    return;
  }
  await new Promise<void>((resolve) => {
    const timer = until !== undefined ? setTimeout(resolve, Math.max(0, (until - nowSec) * 1000)) : undefined;
    ctx.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  off();
  if (!res.writableEnded) res.end();
}

async function auth(ctx: RequestContext): Promise<void> {
  const backend = ctx.backends.auth;
  if (!backend) throw new EngineError('not-implemented', 'registry login is not available in this build of berthd');
  const body = await readJson<unknown>(ctx.req, JSON_SHAPES.auth);
  if (!body || typeof body !== 'object') throw invalid('invalid login request: body must be a JSON object');
  sendJson(ctx.res, 200, await backend.login(body as Record<string, string>));
}

/** `/_ping`, `/version`, `/info`, `/events`. */
export const systemRoutes: Route[] = [
  { method: 'GET', path: '/_ping', handler: ping },
  { method: 'HEAD', path: '/_ping', handler: ping },
  { method: 'GET', path: '/version', handler: async (ctx) => sendJson(ctx.res, 200, await ctx.backends.system.version()) },
  { method: 'GET', path: '/info', handler: async (ctx) => sendJson(ctx.res, 200, await ctx.backends.system.info()) },
  { method: 'GET', path: '/events', handler: events },
  {
    method: 'GET',
    path: '/system/df',
    handler: async (ctx) => {
      const df = ctx.backends.system.df;
      if (!df) throw new EngineError('not-implemented', 'system df is not implemented');
      sendJson(ctx.res, 200, await df.call(ctx.backends.system));
    },
  },
  { method: 'GET', path: '/plugins', handler: (ctx) => sendJson(ctx.res, 200, []) },
  { method: 'POST', path: '/auth', handler: auth },
];
