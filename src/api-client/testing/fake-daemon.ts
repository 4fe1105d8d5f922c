import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import os from 'node:os';
import path from 'node:path';

/** One request the fake daemon saw. */
export interface SeenRequest {
  method: string;
  path: string;
  /** The `/v1.xx` prefix's version, if the path had one. */
  version?: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export type Handler = (req: SeenRequest, res: http.ServerResponse) => void | Promise<void>;
export type UpgradeHandler = (req: SeenRequest, socket: Duplex) => void;

/**
 * A tiny Engine-API lookalike on a temp unix socket for tests: routes are
 * `METHOD /path` (unversioned; `/v1.xx` is stripped) with `:param` segments.
 *
 * @example
 *   const d = await FakeDaemon.start();
 *   d.on('GET /containers/json', (_q, res) => d.json(res, 200, []));
 *   ... new Transport({ host: d.host }) ...
 *   await d.stop();
 */
export class FakeDaemon {
  readonly requests: SeenRequest[] = [];
  private readonly routes: { method: string; re: RegExp; h: Handler }[] = [];
  private readonly upgrades: { re: RegExp; h: UpgradeHandler }[] = [];
  private readonly sockets = new Set<Duplex>();

  private constructor(
    private readonly server: http.Server,
    private readonly dir: string,
    readonly socketPath: string,
    readonly apiVersion: string,
  ) {}

  static async start(apiVersion = '1.43'): Promise<FakeDaemon> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-fake-'));
    const socketPath = path.join(dir, 'd.sock');
    const server = http.createServer();
    const d = new FakeDaemon(server, dir, socketPath, apiVersion);
    server.on('connection', (s) => {
      d.sockets.add(s);
      s.on('close', () => d.sockets.delete(s));
    });
    server.on('request', (req, res) => void d.handle(req, res));
    server.on('upgrade', (req, socket) => void d.handleUpgrade(req, socket));
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    return d;
  }

  get host(): string {
    return `unix://${this.socketPath}`;
  }

  /** Adds a route: `on('POST /containers/:id/start', ...)`. */
  on(route: string, h: Handler): this {
    const [method, p] = route.split(' ');
    this.routes.push({ method: method!, re: pattern(p!), h });
    return this;
  }

  /** Adds a hijack route answered with `101 UPGRADED`. */
  onUpgrade(p: string, h: UpgradeHandler): this {
    this.upgrades.push({ re: pattern(p), h });
    return this;
  }

  json(res: http.ServerResponse, status: number, body: unknown): void {
    const b = Buffer.from(JSON.stringify(body));
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': b.length });
    res.end(b);
  }

  error(res: http.ServerResponse, status: number, message: string): void {
    this.json(res, status, { message });
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async read(req: http.IncomingMessage): Promise<SeenRequest> {
    const chunks: Buffer[] = [];
    if (req.headers.upgrade === undefined) for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const seen: SeenRequest = {
      method: req.method ?? 'GET',
      path: url.pathname.replace(/^\/v\d+\.\d+/, ''),
      version: /^\/v(\d+\.\d+)\//.exec(url.pathname)?.[1],
      query: url.searchParams,
      headers: req.headers,
      body: Buffer.concat(chunks),
    };
    this.requests.push(seen);
    return seen;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const seen = await this.read(req);
    res.setHeader('Api-Version', this.apiVersion);
    res.setHeader('Ostype', 'linux');
    if (seen.path === '/_ping') {
      res.end('OK');
      return;
    }
    if (seen.version && tooNew(seen.version, this.apiVersion)) return this.error(res, 400, versionRefusal(seen.version, this.apiVersion));
    const r = this.routes.find((x) => x.method === seen.method && x.re.test(seen.path));
    if (!r) return this.error(res, 404, `page not found: ${seen.method} ${seen.path}`);
    try {
      await r.h(seen, res);
    } catch (e) {
      this.error(res, 500, (e as Error).message);
    }
  }

  private async handleUpgrade(req: http.IncomingMessage, socket: Duplex): Promise<void> {
    socket.on('error', () => undefined);
    const seen = await this.read(req);
    if (seen.version && tooNew(seen.version, this.apiVersion)) {
      const body = JSON.stringify({ message: versionRefusal(seen.version, this.apiVersion) });
      socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      return;
    }
    const u = this.upgrades.find((x) => x.re.test(seen.path));
    if (!u) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 25\r\n\r\n{"message":"no upgrade!"}');
      return;
    }
    socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    u.h(seen, socket);
  }
}

function pattern(p: string): RegExp {
  return new RegExp(`^${p.replace(/:[a-zA-Z]+/g, '[^/]+')}$`);
}

/** A daemon refuses a request versioned past what it speaks (dockerd's middleware, before any handler). */
function tooNew(v: string, max: string): boolean {
  const [a, b] = [v, max].map((x) => x.split('.').map(Number));
  return a![0]! > b![0]! || (a![0] === b![0] && a![1]! > b![1]!);
}

function versionRefusal(v: string, max: string): string {
  return `client version ${v} is too new. Maximum supported API version is ${max}`;
}
