import dgram from 'node:dgram';
import net from 'node:net';
import { isResponseTo } from './dns-wire.js';
import { DnsFrameReader } from './tcp-frames.js';

/** An upstream resolver's socket address. */
export interface UpstreamAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses an upstream entry: `ip`, `ip:port` (IPv4), or `[ip]:port` (IPv6); port 53 when
 * absent. `undefined` when the entry is not one of those.
 *
 * @example
 *   parseUpstream('10.0.0.2');       // { host: '10.0.0.2', port: 53 }
 *   parseUpstream('127.0.0.1:5353'); // { host: '127.0.0.1', port: 5353 }
 */
export function parseUpstream(entry: string): UpstreamAddress | undefined {
  if (net.isIP(entry)) return { host: entry, port: 53 };
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(entry) ?? /^([^:]+):(\d{1,5})$/.exec(entry);
  if (!m || !net.isIP(m[1]!)) return undefined;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? { host: m[1]!, port } : undefined;
}

/**
 * Sends `message` to `upstream` over `transport` and resolves with the first reply that is
 * a response to `message`'s ID; `undefined` on timeout, refusal, any socket error, or when
 * `signal` aborts. Never rejects; the socket is always closed before it settles.
 *
 * UDP uses a fresh connected socket per exchange (a random source port, and only the
 * upstream's datagrams are seen); TCP frames the message with its 2-byte length.
 */
export function exchangeWithUpstream(
  upstream: UpstreamAddress,
  transport: 'udp' | 'tcp',
  message: Buffer,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Buffer | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  const id = message.readUInt16BE(0);
  return new Promise((resolve) => {
    let settled = false;
    let dispose: () => void = () => {};
    const finish = (reply?: Buffer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      dispose();
      resolve(reply);
    };
    const onAbort = (): void => finish();
    const timer = setTimeout(finish, timeoutMs);
    signal.addEventListener('abort', onAbort, { once: true });
    const onReply = (reply: Buffer): void => {
      if (isResponseTo(reply, id)) finish(reply);
    };
    try {
      dispose = transport === 'udp' ? viaUdp(upstream, message, onReply, finish) : viaTcp(upstream, message, onReply, finish);
    } catch {
      finish();
    }
  });
}

function viaUdp(upstream: UpstreamAddress, message: Buffer, onReply: (b: Buffer) => void, fail: () => void): () => void {
  const socket = dgram.createSocket(net.isIPv6(upstream.host) ? 'udp6' : 'udp4');
  socket.on('error', () => fail());
  socket.on('message', onReply);
  socket.connect(upstream.port, upstream.host, () => {
    socket.send(message, (err) => {
      if (err) fail();
    });
  });
  return () => {
    try {
      socket.close();
    } catch {
      // already closed
    }
  };
}

function viaTcp(upstream: UpstreamAddress, message: Buffer, onReply: (b: Buffer) => void, fail: () => void): () => void {
  const frames = new DnsFrameReader();
  const socket = net.connect({ host: upstream.host, port: upstream.port });
  socket.setNoDelay(true);
  socket.on('connect', () => socket.write(DnsFrameReader.frame(message)));
  socket.on('data', (chunk) => frames.push(chunk).forEach(onReply));
  socket.on('error', () => fail());
  socket.on('close', () => fail());
  return () => socket.destroy();
}
