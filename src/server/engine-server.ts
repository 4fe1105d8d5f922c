import { createServer, ServerResponse, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ServerBackends } from './backends.js';
import type { RequestContext } from './context.js';
import { RouteTable, type Route } from './route-table.js';
import { splitVersion } from './api-version.js';
import { errorStatus } from './error-status.js';
import { sendError, sendJson, setStandardHeaders } from './respond.js';
import { invalid } from '../shared/errors.js';
import { isHijacked } from './hijack.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import { systemRoutes } from './routes/system-routes.js';
import { imageRoutes } from './routes/image-routes.js';
import { containerRoutes } from './routes/container-routes.js';
import { containerIoRoutes } from './routes/container-io-routes.js';
import { execRoutes } from './routes/exec-routes.js';
import { networkVolumeRoutes } from './routes/network-volume-routes.js';
import { volumeRoutes } from './routes/volume-routes.js';
import { archiveRoutes } from './routes/archive-routes.js';
import { commitExportRoutes } from './routes/commit-export-routes.js';
import { containerUpdateRoutes } from './routes/container-update-routes.js';
import { swarmRoutes } from './routes/swarm-routes.js';
import { buildRoutes } from './routes/build-routes.js';

const hijacked = new WeakMap<Server, Set<Duplex>>();
/** Per server: aborted at shutdown, and the plain responses still open then. */
const closing = new WeakMap<Server, { ac: AbortController; open: Set<ServerResponse> }>();
/** How long shutdown lets streams that were told to end finish their response. */
const END_GRACE_MS = 1000;

/**
 * Stops listening and drops every connection, hijacked attach streams included
 * (server.close() alone waits for them forever). Containers are not touched.
 */
export function shutdownEngineServer(server: Server): Promise<void> {
  const c = closing.get(server);
  c?.ac.abort();
  const ended = c?.open.size
    ? Promise.race([Promise.all([...c.open].map((r) => new Promise((done) => (r.writableFinished || r.destroyed ? done(undefined) : r.once('close', done).once('finish', done))))), new Promise((r) => setTimeout(r, END_GRACE_MS).unref())])
    : Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    void ended.then(() => server.closeAllConnections());
    for (const s of hijacked.get(server) ?? []) s.destroy();
  });
}

/** The full Engine API route table this slice serves. */
export const ENGINE_ROUTES: Route[] = [...systemRoutes, ...imageRoutes, ...containerRoutes, ...containerIoRoutes, ...execRoutes, ...networkVolumeRoutes, ...volumeRoutes, ...archiveRoutes, ...commitExportRoutes, ...containerUpdateRoutes, ...swarmRoutes, ...buildRoutes];

export interface EngineServerOptions {
  backends: ServerBackends;
  logger?: Logger;
  /** Defaults to ENGINE_ROUTES; more rows (networks, volumes, exec...) can be appended by the daemon. */
  routes?: Route[];
}

/**
 * Builds the Engine API HTTP server (not yet listening). Handles plain requests and
 * `Upgrade: tcp` requests (attach) through the same route table.
 *
 * @example
 *   const server = createEngineServer({ backends });
 *   server.listen('/run/berth.sock');
 */
export function createEngineServer(opts: EngineServerOptions): Server {
  const table = new RouteTable(opts.routes ?? ENGINE_ROUTES);
  const log = opts.logger ?? silentLogger;
  const server = createServer({ requestTimeout: 0 });

  const shutdown = { ac: new AbortController(), open: new Set<ServerResponse>() };
  closing.set(server, shutdown);
  const dispatch = async (req: IncomingMessage, res: ServerResponse, upgrade?: RequestContext['upgrade']): Promise<void> => {
    setStandardHeaders(res);
    // made when a handler first asks for ctx.signal (few do; an abort costs a DOMException)
    let ac: AbortController | undefined;
    let closed = false;
    res.once('close', () => {
      closed = true;
      ac?.abort();
      if (!upgrade) shutdown.open.delete(res);
    });
    if (!upgrade) shutdown.open.add(res);
    const method = req.method ?? 'GET';
    const t0 = performance.now();
    let ctx: RequestContext | undefined;
    try {
      const { pathname: rawPath, query } = splitUrl(req.url ?? '/');
      let pathname: string;
      try {
        pathname = rawPath.includes('%') ? decodeURIComponent(rawPath) : rawPath;
      } catch {
        throw invalid(`invalid URL escape in ${rawPath}`);
      }
      const { version, path } = splitVersion(pathname);
      const hit = table.match(method, path);
      log.debug('API request', { method, url: req.url });
      if (!hit) return sendJson(res, 404, { message: 'page not found' });
      ctx = {
        req,
        res,
        params: hit.params,
        query,
        version,
        backends: opts.backends,
        get signal(): AbortSignal {
          if (!ac) {
            ac = new AbortController();
            if (closed) ac.abort();
          }
          return ac.signal;
        },
        closing: shutdown.ac.signal,
        upgrade,
      };
      await hit.handler(ctx);
      log.debug('API done', { method, url: req.url, ms: Math.round((performance.now() - t0) * 10) / 10 });
    } catch (err) {
      const status = errorStatus(err);
      if (ctx && isHijacked(ctx)) {
        log.debug('hijacked stream failed', { method, url: req.url, error: err });
        if (upgrade) upgrade.socket.destroy();
        else res.destroy();
        return;
      }
      if (status >= 500) log.error('Handler for ' + method + ' ' + req.url + ' returned error', { error: err });
      else log.debug('API error', { method, url: req.url, status, error: err });
      sendError(res, err);
    }
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => void dispatch(req, res));
  const upgraded = new Set<Duplex>();
  hijacked.set(server, upgraded);
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    upgraded.add(socket);
    socket.once('close', () => upgraded.delete(socket));
    const res = new ServerResponse(req);
    res.assignSocket(socket as Socket);
    res.shouldKeepAlive = false;
    res.once('finish', () => {
      res.detachSocket(socket as Socket);
      socket.end();
    });
    void dispatch(req, res, { socket, head });
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  return server;
}

/**
 * A request target's path (dot segments resolved, as WHATWG URL parsing did before) and query,
 * without building a URL object per request.
 */
function splitUrl(target: string): { pathname: string; query: URLSearchParams } {
  const q = target.indexOf('?');
  const hash = target.indexOf('#');
  const end = hash >= 0 && (q < 0 || hash < q) ? hash : q >= 0 ? q : target.length;
  let pathname = target.slice(0, end);
  const query = new URLSearchParams(q >= 0 && (hash < 0 || q < hash) ? target.slice(q + 1, hash > q ? hash : undefined) : '');
  if (!pathname.startsWith('/') || pathname.includes('/.') || pathname.includes('\\')) pathname = new URL(pathname, 'http://berth').pathname;
  return { pathname, query };
}
