import dgram from 'node:dgram';
import net from 'node:net';
import { EngineError, invalid } from '../../shared/errors.js';
import { DnsForwarder } from './dns-forwarder.js';
import type { DnsScope, EmbeddedDns } from './dns-types.js';
import { fitUdp, parseQuery, rcodeReply, RCODE } from './dns-wire.js';
import { answerLocally } from './local-answer.js';
import { DnsFrameReader } from './tcp-frames.js';
import { WarnThrottle, type DnsLogger } from './warn-throttle.js';

/** Settings of an {@link EmbeddedDnsServer}; every field is optional. */
export interface EmbeddedDnsOptions {
  /** Time allowed to each upstream attempt, in milliseconds. Default 2000. */
  readonly upstreamTimeoutMs?: number;
  /** Forwarded queries in flight at once across all addresses; more are dropped. Default 1024. */
  readonly maxInFlight?: number;
  /** A TCP connection with nothing to answer is closed after this long idle. Default 10000 ms. */
  readonly tcpIdleTimeoutMs?: number;
  /** Receives throttled warnings (dead upstreams, floods, socket errors). */
  readonly logger?: DnsLogger;
}

/** What one listened address holds. */
interface Endpoint {
  readonly address: string;
  readonly port: number;
  readonly udp: dgram.Socket;
  readonly tcp: net.Server;
  readonly connections: Set<net.Socket>;
  /** Aborts the forwards of queries that arrived here. */
  readonly abort: AbortController;
  closed: boolean;
}

type Transport = 'udp' | 'tcp';
type Reply = Buffer | Promise<Buffer | undefined> | undefined;

const BIND_ATTEMPTS = 10;

/**
 * berth's embedded DNS server, answering like Docker's (moby libnetwork resolver.go): one
 * object serves every user-defined network, with a UDP socket and a TCP listener (same port)
 * on each network's gateway address. Container names, aliases and addresses come from the
 * {@link DnsScope} and are answered at once; every other query is forwarded to the scope's
 * upstreams asynchronously, so a dead upstream never delays container names. With no
 * upstreams (internal networks) such queries get SERVFAIL, as current Docker answers.
 *
 * Lifecycle: `listen(address, port)` for each gateway (port 0 picks one, preferring the port
 * already used on the first address), `unlisten(address)` when a network goes away,
 * `close()` at shutdown; in-flight forwards of a closed address are cancelled and their
 * sockets closed. Library code: it never throws out of a socket handler, malformed input is
 * ignored or answered FORMERR/NOTIMP as Docker does.
 *
 * @example
 *   const dns = new EmbeddedDnsServer(scope, { logger });
 *   const port = await dns.listen('172.18.0.1', 0); // then DNAT 172.18.0.1:53 to it
 *   // ...
 *   await dns.close();
 */
export class EmbeddedDnsServer implements EmbeddedDns {
  private readonly endpoints = new Map<string, Endpoint>();
  private readonly starting = new Map<string, Promise<Endpoint>>();
  private readonly forwarder: DnsForwarder;
  private readonly warn: WarnThrottle;
  private readonly tcpIdleTimeoutMs: number;
  private closed = false;

  constructor(
    private readonly scope: DnsScope,
    options: EmbeddedDnsOptions = {},
  ) {
    this.warn = new WarnThrottle(options.logger);
    this.tcpIdleTimeoutMs = options.tcpIdleTimeoutMs ?? 10_000;
    this.forwarder = new DnsForwarder({
      timeoutMs: options.upstreamTimeoutMs ?? 2000,
      maxInFlight: options.maxInFlight ?? 1024,
      warn: this.warn,
    });
  }

  /** Starts answering on `address:port`; resolves with the port (UDP and TCP share it). */
  async listen(address: string, port: number): Promise<number> {
    if (!net.isIP(address)) throw invalid(`invalid DNS listen address: ${address}`);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw invalid(`invalid DNS listen port: ${port}`);
    while (this.starting.has(address)) await this.settled(address);
    if (this.closed) throw new EngineError('unavailable', 'embedded DNS server is closed');
    const current = this.endpoints.get(address);
    if (current) {
      if (port === 0 || port === current.port) return current.port;
      throw new EngineError('conflict', `embedded DNS already listens on ${address}:${current.port}`);
    }
    const start = this.open(address, port);
    this.starting.set(address, start);
    try {
      const endpoint = await start;
      if (this.closed) {
        await shut(endpoint);
        throw new EngineError('unavailable', 'embedded DNS server is closed');
      }
      this.endpoints.set(address, endpoint);
      return endpoint.port;
    } finally {
      if (this.starting.get(address) === start) this.starting.delete(address);
    }
  }

  /** Stops answering on `address`, cancelling its forwarded queries. No-op when not listening. */
  async unlisten(address: string): Promise<void> {
    await this.settled(address);
    const endpoint = this.endpoints.get(address);
    if (!endpoint) return;
    this.endpoints.delete(address);
    await shut(endpoint);
  }

  /** Stops everything; later `listen` calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.starting.keys()].map((a) => this.settled(a)));
    await Promise.all([...this.endpoints.keys()].map((a) => this.unlisten(a)));
  }

  private async settled(address: string): Promise<void> {
    for (let p = this.starting.get(address); p; p = this.starting.get(address)) await p.catch(() => undefined);
  }

  private async open(address: string, port: number): Promise<Endpoint> {
    if (port !== 0) return this.bind(address, port).catch((err) => Promise.reject(bindError(address, port, err)));
    const preferred = this.endpoints.values().next().value?.port;
    if (preferred !== undefined) {
      try {
        return await this.bind(address, preferred);
      } catch {
        // taken on this address: any free port will do
      }
    }
    let last: unknown;
    for (let attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
      try {
        return await this.bind(address, 0);
      } catch (err) {
        last = err;
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') break;
      }
    }
    throw bindError(address, 0, last);
  }

  /** Binds UDP on `port` (0: any), then TCP on the same port number. */
  private async bind(address: string, port: number): Promise<Endpoint> {
    const udp = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind({ address, port }, () => {
          udp.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      closeQuietly(udp);
      throw err;
    }
    const tcp = net.createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ host: address, port: udp.address().port }, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      closeQuietly(udp);
      tcp.close();
      throw err;
    }
    const endpoint: Endpoint = {
      address,
      port: udp.address().port,
      udp,
      tcp,
      connections: new Set(),
      abort: new AbortController(),
      closed: false,
    };
    udp.on('message', (msg, rinfo) => this.onDatagram(endpoint, msg, rinfo));
    udp.on('error', (err) => this.warn.warn(`udp:${address}`, 'embedded DNS UDP socket error', { address, error: err.message }));
    tcp.on('connection', (socket) => this.onConnection(endpoint, socket));
    tcp.on('error', (err) => this.warn.warn(`tcp:${address}`, 'embedded DNS TCP listener error', { address, error: err.message }));
    return endpoint;
  }

  private onDatagram(endpoint: Endpoint, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const send = (reply: Buffer | undefined): void => {
      if (!reply || endpoint.closed) return;
      try {
        endpoint.udp.send(reply, rinfo.port, rinfo.address, () => {});
      } catch {
        // socket closed meanwhile
      }
    };
    const reply = this.respond(endpoint, msg, 'udp', unmapped(rinfo.address));
    if (reply instanceof Promise) void reply.then(send);
    else send(reply);
  }

  private onConnection(endpoint: Endpoint, socket: net.Socket): void {
    if (endpoint.closed) {
      socket.destroy();
      return;
    }
    endpoint.connections.add(socket);
    const frames = new DnsFrameReader();
    const client = unmapped(socket.remoteAddress ?? '');
    let waiting = 0;
    const send = (reply: Buffer | undefined): void => {
      if (reply && !socket.destroyed && !endpoint.closed) socket.write(DnsFrameReader.frame(reply));
    };
    socket.setNoDelay(true);
    socket.setTimeout(this.tcpIdleTimeoutMs, () => {
      if (waiting === 0) socket.destroy();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => endpoint.connections.delete(socket));
    socket.on('data', (chunk: Buffer) => {
      for (const msg of frames.push(chunk)) {
        const reply = this.respond(endpoint, msg, 'tcp', client);
        if (!(reply instanceof Promise)) {
          send(reply);
          continue;
        }
        waiting++;
        void reply.then((r) => {
          waiting--;
          send(r);
        });
      }
    });
  }

  /** The reply to one message: now (local names, errors), later (forwarded), or never. */
  private respond(endpoint: Endpoint, raw: Buffer, transport: Transport, client: string): Reply {
    const parsed = parseQuery(raw);
    if (parsed.kind === 'ignore') return undefined;
    if (parsed.kind === 'reject') return parsed.reply;
    const query = parsed.query;
    let upstreams: readonly string[];
    try {
      const local = answerLocally(this.scope, query, { server: endpoint.address, client, transport });
      if (local) return local;
      upstreams = this.scope.upstreams(endpoint.address, client);
    } catch (err) {
      this.warn.warn('scope', 'embedded DNS failed to answer from its scope', { error: (err as Error)?.message ?? String(err) });
      return rcodeReply(query, RCODE.SERVFAIL);
    }
    if (upstreams.length === 0) return rcodeReply(query, RCODE.SERVFAIL);
    return this.forwarder.forward(raw, upstreams, transport, endpoint.abort.signal).then(
      (outcome) => {
        if (outcome.kind === 'answer') return transport === 'udp' ? fitUdp(outcome.reply, query) : outcome.reply;
        if (outcome.kind === 'failed') return rcodeReply(query, RCODE.SERVFAIL);
        return undefined;
      },
      () => undefined,
    );
  }
}

async function shut(endpoint: Endpoint): Promise<void> {
  endpoint.closed = true;
  endpoint.abort.abort();
  for (const socket of endpoint.connections) socket.destroy();
  await Promise.all([
    new Promise<void>((resolve) => {
      try {
        endpoint.udp.close(() => resolve());
      } catch {
        resolve();
      }
    }),
    new Promise<void>((resolve) => endpoint.tcp.close(() => resolve())),
  ]);
}

function closeQuietly(socket: dgram.Socket): void {
  try {
    socket.close();
  } catch {
    // never bound or already closed
  }
}

function unmapped(address: string): string {
  return address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

function bindError(address: string, port: number, cause: unknown): EngineError {
  const kind = (cause as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE' ? 'conflict' : 'internal';
  return EngineError.wrap(kind, `failed to listen for DNS on ${address}:${port}`, cause);
}
