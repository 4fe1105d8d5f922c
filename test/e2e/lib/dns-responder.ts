import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { addHostAddress } from './host-net.js';

/** One query the responder received. */
export interface DnsQuery {
  name: string;
  type: string;
  from: string;
}

/**
 * A tiny authoritative-only DNS responder for the tests' "upstream" resolver: A records from
 * `records`, NXDOMAIN for other A queries, empty NOERROR for other types. It listens on UDP
 * port 53 of a /32 address the test owns, put on a bridge of the test's own (`ifname`), so
 * containers reach it through their gateway (routed to a local address, never forwarded)
 * and no query ever goes to the host's real resolvers.
 *
 * Docker 20.10's embedded DNS does not forward to a host-loopback resolver (`--dns
 * 127.0.0.77` times out inside containers on a user network), hence not loopback.
 *
 * @example
 * const dns = await DnsResponder.start('btdns123', '10.250.31.1', { 'upstream.test': '192.0.2.123' });
 * // docker run --network n --dns 10.250.31.1 busybox nslookup upstream.test
 * await dns.stop();
 */
export class DnsResponder {
  readonly queries: DnsQuery[] = [];

  private constructor(
    readonly address: string,
    private readonly socket: dgram.Socket,
    private readonly iface: { remove(): void },
  ) {}

  /**
   * Listen on `address`:53 (added as /32 to the test's bridge `ifname`, created if needed;
   * a 127.x address is used as it is).
   * With `silent`, queries are recorded but never answered (a dead upstream).
   */
  static async start(ifname: string, address: string, records: Record<string, string>, opts: { silent?: boolean } = {}): Promise<DnsResponder> {
    // 127.0.0.0/8 is on lo already: nothing to add
    const iface = address.startsWith('127.') ? { remove: () => undefined } : addHostAddress(ifname, address);
    const socket = dgram.createSocket('udp4');
    const r = new DnsResponder(address, socket, iface);
    socket.on('message', (msg, rinfo) => r.answer(msg, rinfo, opts.silent ? undefined : records));
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(53, address, () => resolve());
      });
    } catch (e) {
      iface.remove();
      throw new Error(`failed to start the test DNS responder on ${address}:53: ${(e as Error).message}`);
    }
    return r;
  }

  /** Queries for `name` (case-insensitive) seen so far. */
  seen(name: string): DnsQuery[] {
    return this.queries.filter((q) => q.name.toLowerCase() === name.toLowerCase());
  }

  /** Close the socket and delete the test's bridge. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
    this.iface.remove();
  }

  private answer(msg: Buffer, rinfo: dgram.RemoteInfo, records: Record<string, string> | undefined): void {
    let q: dnsPacket.Packet;
    try {
      q = dnsPacket.decode(msg);
    } catch {
      return;
    }
    const question = q.questions?.[0];
    if (!question) return;
    this.queries.push({ name: question.name, type: question.type, from: rinfo.address });
    if (!records) return;
    const known = records[question.name.toLowerCase()];
    const answers: dnsPacket.Answer[] = known && question.type === 'A' ? [{ type: 'A', name: question.name, ttl: 30, data: known }] : [];
    const nxdomain = known === undefined;
    const reply = dnsPacket.encode({
      id: q.id,
      type: 'response',
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (nxdomain ? 3 : 0),
      questions: q.questions,
      answers,
    });
    this.socket.send(reply, rinfo.port, rinfo.address);
  }
}
