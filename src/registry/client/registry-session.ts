import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { EngineError } from '../../shared/errors.js';
import { basicCredentials, basicHeader, type AuthConfig } from './auth-config.js';
import { discard, httpRequest, readBody } from './http-request.js';
import { apiHost, isInsecureRegistry } from './registry-host.js';
import { responseError } from './registry-errors.js';
import { parseChallenge, type Challenge } from './www-authenticate.js';
import { trustedCAs } from './tls-trust.js';

/** How to reach one registry. */
export interface SessionOptions {
  /** Reference domain (`docker.io`, `127.0.0.1:5000`). */
  domain: string;
  auth?: AuthConfig;
  insecureRegistries?: readonly string[];
}

/** One request through the session. */
export interface SessionRequest {
  method?: string;
  headers?: Record<string, string | number>;
  body?: Buffer | Readable;
  /** Token scopes this request needs (`repository:x:pull`). */
  scopes?: string[];
  signal?: AbortSignal;
  /** Follow redirects (GET/HEAD only); credentials never cross to another origin. */
  follow?: boolean;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Insecure registries (host:port) last seen answering plain http, in this process. */
const plainHttpHosts = new Set<string>();

/** Go's net error wording for the common failures (what dockerd prints). */
function goNetError(err: unknown, hostPort: string): string {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  const name = hostPort.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') return `dial tcp: lookup ${name}: no such host`;
  if (e?.code === 'ECONNREFUSED') return `dial tcp ${e.address ?? name}:${e.port ?? ''}: connect: connection refused`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * A connection to one registry: picks https or (for insecure registries) http, learns the
 * auth challenge from `GET /v2/`, and authorizes requests with basic credentials or bearer
 * tokens fetched from the challenge's realm (cached per scope set).
 *
 * @example
 *   const s = new RegistrySession({ domain: '127.0.0.1:5000', auth });
 *   const res = await s.request('/v2/x/manifests/latest', { method: 'HEAD', scopes: ['repository:x:pull'] });
 */
export class RegistrySession {
  readonly host: string;
  readonly insecure: boolean;
  private base?: Promise<URL>;
  private challenge: Challenge | undefined;
  private readonly tokens = new Map<string, Promise<string>>();
  /** CAs trusted for this registry (undefined for insecure ones). */
  readonly ca: string[] | undefined;

  constructor(private readonly opts: SessionOptions) {
    this.host = apiHost(opts.domain);
    this.insecure = isInsecureRegistry(this.host, opts.insecureRegistries ?? []);
    this.ca = this.insecure ? undefined : trustedCAs(this.host);
  }

  /** `GET /v2/` once: chooses the scheme and records the auth challenge. */
  ping(): Promise<URL> {
    this.base ??= this.doPing().catch((err) => {
      this.base = undefined;
      throw err;
    });
    return this.base;
  }

  /** The base URL (`http://127.0.0.1:5000`) once pinged. */
  async origin(): Promise<URL> {
    return this.ping();
  }

  /** The challenge seen on `/v2/` (undefined: anonymous registry). */
  get authChallenge(): Challenge | undefined {
    return this.challenge;
  }

  private async doPing(): Promise<URL> {
    let schemes = this.insecure ? ['https:', 'http:'] : ['https:'];
    // an insecure registry answered plain http before: try that first (saves a failed TLS handshake)
    if (this.insecure && plainHttpHosts.has(this.host)) schemes = ['http:', 'https:'];
    let lastErr: unknown;
    let lastScheme = 'https:';
    let httpAnswer: { base: URL; res: IncomingMessage } | undefined;
    const accept = (base: URL, res: IncomingMessage): URL => {
      if (base.protocol === 'http:') plainHttpHosts.add(this.host);
      else plainHttpHosts.delete(this.host);
      if (res.statusCode === 401) this.challenge = parseChallenge(res.headers['www-authenticate']);
      return base;
    };
    for (const scheme of schemes) {
      lastScheme = scheme;
      const base = new URL(`${scheme}//${this.host}`);
      let res: IncomingMessage;
      try {
        res = await httpRequest(new URL('/v2/', base), { insecureTLS: this.insecure, ca: this.ca, timeoutMs: 15_000 });
      } catch (err) {
        lastErr = err;
        continue;
      }
      discard(res);
      // a TLS server may answer plain http with 400: only a /v2/ answer proves http works
      if (scheme === 'http:' && schemes[0] === 'http:' && res.statusCode !== 200 && res.statusCode !== 401) {
        httpAnswer = { base, res };
        continue;
      }
      return accept(base, res);
    }
    if (httpAnswer) return accept(httpAnswer.base, httpAnswer.res);
    throw new EngineError('internal', `Get "${lastScheme}//${this.host}/v2/": ${goNetError(lastErr, this.host)}`, { cause: lastErr });
  }

  /** The Authorization header for these scopes (undefined when anonymous). */
  async authorization(scopes: string[], fresh = false): Promise<string | undefined> {
    await this.ping();
    const ch = this.challenge;
    const creds = basicCredentials(this.opts.auth);
    if (!ch) return undefined;
    if (ch.scheme === 'basic') return creds ? basicHeader(creds) : undefined;
    if (this.opts.auth?.registrytoken) return `Bearer ${this.opts.auth.registrytoken}`;
    const key = [...scopes].sort().join(' ');
    if (fresh) this.tokens.delete(key);
    let t = this.tokens.get(key);
    if (!t) {
      t = this.fetchToken(ch, scopes);
      this.tokens.set(key, t);
      t.catch(() => this.tokens.delete(key));
    }
    return `Bearer ${await t}`;
  }

  private async fetchToken(ch: Challenge, scopes: string[]): Promise<string> {
    const realm = ch.params.realm;
    if (!realm) throw new EngineError('unauthorized', 'failed to fetch token: bearer challenge without realm');
    const url = new URL(realm);
    if (ch.params.service) url.searchParams.set('service', ch.params.service);
    for (const s of scopes) url.searchParams.append('scope', s);
    const creds = basicCredentials(this.opts.auth);
    if (creds) url.searchParams.set('account', creds.username);
    const headers: Record<string, string> = creds ? { Authorization: basicHeader(creds) } : {};
    const res = await httpRequest(url, { headers, insecureTLS: this.insecure, ca: this.ca, timeoutMs: 30_000 });
    if (res.statusCode !== 200) {
      const err = await responseError(res);
      throw new EngineError(err.kind === 'unavailable' ? 'unauthorized' : err.kind, `Get "${url.origin}${url.pathname}": ${err.message}`);
    }
    const body = JSON.parse((await readBody(res, 1 << 20)).toString('utf8')) as { token?: string; access_token?: string };
    const token = body.token || body.access_token;
    if (!token) throw new EngineError('unauthorized', `failed to fetch token from ${url.origin}: no token in reply`);
    return token;
  }

  /**
   * Sends a request to `path` (or an absolute URL on a redirect/upload location); retries
   * once with a fresh token on 401 when the body can be replayed.
   */
  async request(pathOrUrl: string, req: SessionRequest = {}): Promise<IncomingMessage> {
    const base = await this.ping();
    let url = new URL(pathOrUrl, base);
    const scopes = req.scopes ?? [];
    let auth = await this.authorization(scopes);
    const replayable = req.body === undefined || Buffer.isBuffer(req.body);
    for (let attempt = 0, hops = 0; ; ) {
      const sameOrigin = url.origin === base.origin;
      const headers = { ...req.headers, ...(auth && sameOrigin ? { Authorization: auth } : {}) };
      const res = await httpRequest(url, { method: req.method, headers, body: req.body, insecureTLS: this.insecure, ca: this.ca, signal: req.signal });
      if (res.statusCode === 401 && sameOrigin && replayable && attempt === 0 && this.challenge?.scheme === 'bearer') {
        discard(res);
        attempt++;
        auth = await this.authorization(scopes, true);
        continue;
      }
      const loc = res.headers.location;
      if (req.follow && loc && REDIRECTS.has(res.statusCode ?? 0) && hops < 10) {
        discard(res);
        hops++;
        url = new URL(loc, url);
        if (url.origin !== base.origin) auth = undefined;
        continue;
      }
      return res;
    }
  }
}
