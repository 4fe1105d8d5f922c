import { createServer as createHttp, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Htpasswd } from './htpasswd.js';
import { RegistryError } from './registry-error.js';
import { RegistryStorage } from './registry-storage.js';
import { registryRoutes } from './registry-routes.js';

export interface ServeOptions {
  /** `HOST:PORT`; port 0 picks a free one. */
  listen: string;
  root: string;
  htpasswd?: string;
  tlsCert?: string;
  tlsKey?: string;
  /** Called for each request with method, path and status (access log). */
  onRequest?: (line: string) => void;
}

export interface RunningRegistry {
  /** `HOST:PORT` actually bound. */
  address: string;
  storage: RegistryStorage;
  close(): Promise<void>;
}

/**
 * `berth registry serve`: an OCI distribution-spec registry over berth's content store.
 * Half-written uploads from a previous run are dropped at start.
 */
export async function serveRegistry(opts: ServeOptions): Promise<RunningRegistry> {
  const storage = new RegistryStorage(opts.root);
  await storage.init();
  const routes = registryRoutes(storage);
  const auth = opts.htpasswd ? new Htpasswd(opts.htpasswd) : undefined;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    const url = new URL(req.url ?? '/', 'http://registry');
    try {
      if (auth && !auth.verify(req.headers.authorization)) {
        res.setHeader('WWW-Authenticate', 'Basic realm="berth-registry"');
        throw new RegistryError('UNAUTHORIZED');
      }
      const method = req.method ?? 'GET';
      let pathMatched = false;
      for (const [m, re, handler] of routes) {
        const match = re.exec(url.pathname);
        if (!match) continue;
        pathMatched = true;
        if (m !== method) continue;
        await handler(req, res, { ...(match.groups ?? {}) }, url);
        return;
      }
      if (pathMatched) throw new RegistryError('UNSUPPORTED', undefined, undefined, 405);
      const nameLike = /^\/v2\/(.+)\/(manifests|blobs|tags|referrers)\//.exec(url.pathname);
      throw nameLike ? new RegistryError('NAME_INVALID', { name: nameLike[1] }) : new RegistryError('UNSUPPORTED', undefined, 'page not found', 404);
    } catch (err) {
      const e = err instanceof RegistryError ? err : new RegistryError('UNSUPPORTED', String((err as Error).message), 'internal error', 500);
      req.resume();
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const body = e.body();
      res.writeHead(e.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    } finally {
      opts.onRequest?.(`${req.method} ${url.pathname} ${res.statusCode}`);
    }
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => void handle(req, res);
  const server: Server =
    opts.tlsCert && opts.tlsKey
      ? createHttps({ cert: readFileSync(opts.tlsCert), key: readFileSync(opts.tlsKey) }, listener)
      : createHttp(listener);
  server.keepAliveTimeout = 30_000;
  const i = opts.listen.lastIndexOf(':');
  const host = i > 0 ? opts.listen.slice(0, i).replace(/^\[|\]$/g, '') : '127.0.0.1';
  const port = Number(i >= 0 ? opts.listen.slice(i + 1) : opts.listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  return {
    address: `${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`,
    storage,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
