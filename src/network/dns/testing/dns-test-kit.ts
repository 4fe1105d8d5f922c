import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { DecodedPacket, Packet, Question, RecordType } from 'dns-packet';
import type { DnsScope } from '../dns-types.js';
import { DnsFrameReader } from '../tcp-frames.js';

/** A DnsScope from plain maps, recording what it was asked. Keys are lower case. */
export class FakeScope implements DnsScope {
  readonly lookups: { server: string; client: string; name: string }[] = [];
  readonly reverses: string[] = [];

  constructor(
    public names: Record<string, string[]> = {},
    public pointers: Record<string, string> = {},
    public upstreamList: string[] = [],
  ) {}

  lookup(server: string, client: string, name: string): string[] | undefined {
    this.lookups.push({ server, client, name });
    return this.names[name];
  }

  reverse(_server: string, _client: string, address: string): string | undefined {
    this.reverses.push(address);
    return this.pointers[address];
  }

  upstreams(): string[] {
    return this.upstreamList;
  }
}

/** What a fake upstream does with a query: a reply packet, raw bytes, or `null` (silence). */
export type UpstreamHandler = (query: DecodedPacket, transport: 'udp' | 'tcp') => Packet | Buffer | null;

/** A DNS server on 127.0.0.1 (UDP and TCP, same port) answering from a handler. */
export class FakeUpstream {
  readonly seen: { transport: 'udp' | 'tcp'; id: number; name: string; type: string }[] = [];
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly udp: dgram.Socket,
    private readonly tcp: net.Server,
    public handler: UpstreamHandler,
  ) {}

  get port(): number {
    return this.udp.address().port;
  }

  /** `127.0.0.1:<port>`, as an upstream entry. */
  get entry(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(handler: UpstreamHandler): Promise<FakeUpstream> {
    for (;;) {
      const udp = dgram.createSocket('udp4');
      await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
      const tcp = net.createServer();
      const ok = await new Promise<boolean>((r) => {
        tcp.once('error', () => r(false));
        tcp.listen(udp.address().port, '127.0.0.1', () => r(true));
      });
      if (!ok) {
        udp.close();
        continue;
      }
      const up = new FakeUpstream(udp, tcp, handler);
      udp.on('message', (msg, rinfo) => {
        const out = up.answer(msg, 'udp');
        if (out) udp.send(out, rinfo.port, rinfo.address);
      });
      tcp.on('connection', (socket) => {
        const frames = new DnsFrameReader();
        up.sockets.add(socket);
        socket.on('close', () => up.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
        socket.on('data', (chunk) => {
          for (const msg of frames.push(chunk)) {
            const out = up.answer(msg, 'tcp');
            if (out) socket.write(DnsFrameReader.frame(out));
          }
        });
      });
      return up;
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => this.udp.close(() => r()));
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((r) => this.tcp.close(() => r()));
  }

  private answer(msg: Buffer, transport: 'udp' | 'tcp'): Buffer | null {
    const query = dnsPacket.decode(msg);
    const q = query.questions![0]!;
    this.seen.push({ transport, id: query.id!, name: q.name, type: q.type });
    const out = this.handler(query, transport);
    if (out === null || Buffer.isBuffer(out)) return out;
    return dnsPacket.encode({ questions: query.questions, id: query.id, ...out, type: 'response' });
  }
}

/** A reply as the client saw it. */
export interface Reply {
  readonly raw: Buffer;
  readonly packet: DecodedPacket;
  readonly rcode: number;
  /** Milliseconds from sending to receiving. */
  readonly ms: number;
}

/** A one-question query. */
export function query(name: string, type: RecordType, id = 0x1234, extra: Partial<Packet> = {}): Buffer {
  const question: Question = { type, name, class: 'IN' };
  return dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [question], ...extra });
}

/** Sends `message` over UDP from `from` to `server:port`; `undefined` when nothing comes back in time. */
export function askUdp(port: number, message: Buffer, opts: { server?: string; from?: string; timeoutMs?: number } = {}): Promise<Reply | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const started = Date.now();
    const done = (reply?: Reply): void => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    };
    const timer = setTimeout(() => done(), opts.timeoutMs ?? 4000);
    socket.on('message', (raw) => done(decodeReply(raw, started)));
    socket.bind(0, opts.from ?? '127.0.0.1', () => socket.send(message, port, opts.server ?? '127.0.0.1'));
  });
}

/** Sends several messages on one TCP connection; resolves with the replies received in time. */
export function askTcp(port: number, messages: Buffer[], opts: { server?: string; timeoutMs?: number } = {}): Promise<Reply[]> {
  return new Promise((resolve) => {
    const replies: Reply[] = [];
    const frames = new DnsFrameReader();
    const started = Date.now();
    const socket = net.connect({ port, host: opts.server ?? '127.0.0.1' });
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(replies);
    };
    const timer = setTimeout(done, opts.timeoutMs ?? 4000);
    socket.on('connect', () => socket.write(Buffer.concat(messages.map((m) => DnsFrameReader.frame(m)))));
    socket.on('data', (chunk) => {
      for (const raw of frames.push(chunk)) replies.push(decodeReply(raw, started));
      if (replies.length >= messages.length) done();
    });
    socket.on('error', done);
    socket.on('close', done);
  });
}

/** The data of every answer record, in order. */
export function answerData(reply: Reply | undefined): unknown[] {
  return (reply?.packet.answers ?? []).map((a) => ('data' in a ? a.data : undefined));
}

function decodeReply(raw: Buffer, started: number): Reply {
  const ms = Date.now() - started;
  let packet: DecodedPacket;
  try {
    packet = dnsPacket.decode(raw);
  } catch {
    packet = { flag_qr: true, flag_aa: false, flag_tc: false, flag_rd: false, flag_ra: false, flag_z: false, flag_ad: false, flag_cd: false };
  }
  return { raw, packet, rcode: raw.readUInt16BE(2) & 0xf, ms };
}
