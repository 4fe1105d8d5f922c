import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { EngineError, invalid } from '../shared/errors.js';

/** A host port as asked for: `HostPort` may be '', a number or a range `a-b`. */
export interface PortRequest {
  proto: 'tcp' | 'udp' | 'sctp';
  hostIp: string;
  hostPort: string;
}

export interface HeldPort {
  proto: 'tcp' | 'udp' | 'sctp';
  hostIp: string;
  hostPort: number;
}

type Holder = Server | UdpSocket;

/**
 * Holds published host ports. A port is taken by binding it (TCP listen / UDP bind) and the
 * socket is kept while the container runs: the kernel then refuses it to anyone else, and a
 * port already taken by anything on the host fails the start with Docker's error. Traffic
 * never reaches these sockets: nftables DNATs it to the container first.
 */
export class PortAllocator {
  private readonly held = new Map<string, { port: HeldPort; holder: Holder }[]>();

  /** Binds every request for `owner` (all or nothing). `endpoint` names the container in errors. */
  async reserve(owner: string, reqs: PortRequest[], endpoint: string): Promise<HeldPort[]> {
    const taken: { port: HeldPort; holder: Holder }[] = [];
    try {
      for (const r of reqs) taken.push(await this.bindOne(r, endpoint));
    } catch (err) {
      await Promise.all(taken.map((t) => closeHolder(t.holder)));
      throw err;
    }
    this.held.set(owner, [...(this.held.get(owner) ?? []), ...taken]);
    return taken.map((t) => t.port);
  }

  async release(owner: string): Promise<void> {
    const list = this.held.get(owner);
    this.held.delete(owner);
    await Promise.all((list ?? []).map((t) => closeHolder(t.holder)));
  }

  /** Every held port (for conflict messages). */
  owners(): Map<string, HeldPort[]> {
    return new Map([...this.held].map(([k, v]) => [k, v.map((t) => t.port)]));
  }

  async close(): Promise<void> {
    await Promise.all([...this.held.keys()].map((k) => this.release(k)));
  }

  private async bindOne(r: PortRequest, endpoint: string): Promise<{ port: HeldPort; holder: Holder }> {
    const ip = r.hostIp || '0.0.0.0';
    const [lo, hi] = parseRange(r.hostPort);
    let lastErr: unknown;
    for (let p = lo; p <= hi; p++) {
      if (lo !== 0 && this.heldBy(r.proto, ip, p)) {
        lastErr = new EngineError('internal', `driver failed programming external connectivity on endpoint ${endpoint}: Bind for ${ip}:${p} failed: port is already allocated`);
        continue;
      }
      try {
        const holder = await bind(r.proto, ip, p);
        const port = r.proto === 'udp' ? (holder as UdpSocket).address().port : ((holder as Server).address() as { port: number }).port;
        return { port: { proto: r.proto, hostIp: ip, hostPort: port }, holder };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const why = code === 'EADDRINUSE' ? 'address already in use' : code === 'EADDRNOTAVAIL' ? 'cannot assign requested address' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
        lastErr = new EngineError(
          'internal',
          `driver failed programming external connectivity on endpoint ${endpoint}: failed to bind port ${ip}:${p}/${r.proto}: Error starting userland proxy: listen ${r.proto}4 ${ip}:${p}: bind: ${why}`,
        );
        if (code !== 'EADDRINUSE') break;
      }
    }
    throw lastErr;
  }

  private heldBy(proto: string, ip: string, port: number): boolean {
    for (const list of this.held.values()) {
      for (const t of list) {
        if (t.port.proto === proto && t.port.hostPort === port && (t.port.hostIp === ip || t.port.hostIp === '0.0.0.0' || ip === '0.0.0.0')) return true;
      }
    }
    return false;
  }
}

/** '' → [0, 0] (ephemeral), '80' → [80, 80], '8000-8010' → [8000, 8010]. */
export function parseRange(s: string): [number, number] {
  if (!s) return [0, 0];
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) throw invalid(`invalid port specification: "${s}"`);
  const lo = Number(m[1]);
  const hi = m[2] ? Number(m[2]) : lo;
  if (lo > 65535 || hi > 65535 || hi < lo) throw invalid(`invalid port specification: "${s}"`);
  return [lo, hi];
}

function bind(proto: string, ip: string, port: number): Promise<Holder> {
  return new Promise((resolve, reject) => {
    if (proto === 'udp') {
      const s = createSocket({ type: 'udp4', reuseAddr: false });
      s.once('error', reject);
      s.bind({ address: ip, port, exclusive: true }, () => {
        s.off('error', reject);
        s.on('error', () => {});
        resolve(s);
      });
      return;
    }
    const srv = createServer((sock) => sock.destroy());
    srv.once('error', reject);
    srv.listen({ host: ip, port, exclusive: true, backlog: 1 }, () => {
      srv.off('error', reject);
      srv.on('error', () => {});
      srv.unref();
      resolve(srv);
    });
  });
}

function closeHolder(h: Holder): Promise<void> {
  return new Promise((resolve) => {
    try {
      if ('listen' in h) (h as Server).close(() => resolve());
      else (h as UdpSocket).close(() => resolve());
    } catch {
      resolve();
    }
  });
}
