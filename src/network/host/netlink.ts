import { errnoName, errorText, netlinkSys, type NetlinkSys } from './netlink-sys.js';
import * as m from './netlink-message.js';

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0o2000000;
const NETLINK_ROUTE = 0;
const SOL_SOCKET = 1;
const SO_RCVTIMEO = 20;
const SOL_NETLINK = 270;
const NETLINK_CAP_ACK = 10;
const NETLINK_EXT_ACK = 11;
const ENODEV = 19;

/** A negative netlink answer, worded as iproute2 prints it: "RTNETLINK answers: File exists". */
export class NetlinkError extends Error {
  readonly code: string;
  constructor(readonly errno: number, readonly detail?: string) {
    super(`RTNETLINK answers: ${errorText(errno)}${detail ? ` (${detail})` : ''}`);
    this.code = errnoName(errno);
  }
}

/** What a veth pair is made of; the peer goes to the namespace behind `peerNetnsFd`. */
export interface VethLink {
  name: string;
  mtu: number;
  /** ifindex of the bridge to enslave this end to. */
  master: number;
  up: boolean;
  peer: { name: string; mtu: number; mac: string; netnsFd: number };
}

/**
 * A blocking rtnetlink (NETLINK_ROUTE) socket: one request, one answer, synchronously. The
 * kernel handles route requests inside sendto(), so recv() returns at once; SO_RCVTIMEO
 * bounds the wait if it ever does not. The socket belongs to the network namespace of the
 * thread that opened it, for its whole life.
 *
 * @example
 *   const nl = Rtnetlink.open();
 *   try { nl.setUp(nl.linkIndex('br0')); } finally { nl.close(); }
 */
export class Rtnetlink {
  private seq = Math.floor(Date.now() / 1000);
  private readonly buf = Buffer.alloc(65536);
  private readonly kernel = Buffer.alloc(12);

  private constructor(private readonly sys: NetlinkSys, readonly fd: number) {
    this.kernel.writeUInt16LE(AF_NETLINK, 0);
  }

  static open(sys: NetlinkSys = netlinkSys()): Rtnetlink {
    const fd = sys.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    try {
      const timeout = Buffer.alloc(16);
      timeout.writeBigInt64LE(5n, 0);
      sys.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, timeout);
      sys.setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, m.u32(1));
      try {
        sys.setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, m.u32(1));
      } catch {
        // kernels before 4.12: plain errno answers
      }
      const local = Buffer.alloc(12);
      local.writeUInt16LE(AF_NETLINK, 0);
      sys.bind(fd, local);
    } catch (err) {
      sys.close(fd);
      throw err;
    }
    return new Rtnetlink(sys, fd);
  }

  close(): void {
    this.sys.close(this.fd);
  }

  /** Sends one request and returns its answers up to the ack; a negative ack throws NetlinkError. */
  request(type: number, flags: number, body: Buffer): m.Reply[] {
    const seq = (this.seq = (this.seq + 1) >>> 0);
    this.sys.sendto(this.fd, m.message(type, flags | m.NLM_F_REQUEST | m.NLM_F_ACK, seq, body), this.kernel);
    const replies: m.Reply[] = [];
    for (;;) {
      const n = this.sys.recv(this.fd, this.buf);
      for (const r of m.parseMessages(this.buf.subarray(0, n))) {
        if (r.seq !== seq) continue;
        if (r.type === m.NLMSG_ERROR) {
          const { errno, message } = m.decodeError(r);
          if (errno !== 0) throw new NetlinkError(errno, message);
          return replies;
        }
        if (r.type === m.NLMSG_DONE) return replies;
        replies.push({ ...r, payload: Buffer.from(r.payload) });
      }
    }
  }

  /** ifindex of a link by name; NetlinkError ENODEV when there is none. */
  linkIndex(name: string): number {
    const [reply] = this.request(m.RTM_GETLINK, 0, Buffer.concat([m.ifinfomsg(), m.attr(m.IFLA_IFNAME, m.str(name))]));
    if (!reply || reply.type !== m.RTM_NEWLINK) throw new NetlinkError(ENODEV);
    return reply.payload.readInt32LE(4);
  }

  /** `ip link add NAME mtu M [master B] [up] type veth peer name P mtu M address MAC netns NS`, in one request. */
  addVeth(v: VethLink): void {
    const peer = m.attr(
      m.VETH_INFO_PEER,
      m.ifinfomsg(),
      m.attr(m.IFLA_IFNAME, m.str(v.peer.name)),
      m.attr(m.IFLA_MTU, m.u32(v.peer.mtu)),
      m.attr(m.IFLA_ADDRESS, m.mac(v.peer.mac)),
      m.attr(m.IFLA_NET_NS_FD, m.u32(v.peer.netnsFd)),
    );
    const body = Buffer.concat([
      m.ifinfomsg(v.up ? { flags: m.IFF_UP, change: m.IFF_UP } : {}),
      m.attr(m.IFLA_IFNAME, m.str(v.name)),
      m.attr(m.IFLA_MTU, m.u32(v.mtu)),
      m.attr(m.IFLA_MASTER, m.u32(v.master)),
      m.attr(m.IFLA_LINKINFO, m.attr(m.IFLA_INFO_KIND, m.str('veth')), m.attr(m.IFLA_INFO_DATA, peer)),
    ]);
    this.request(m.RTM_NEWLINK, m.NLM_F_CREATE | m.NLM_F_EXCL, body);
  }

  /** `ip link set NAME up` (by name, no index lookup). */
  setUp(name: string): void {
    this.request(m.RTM_NEWLINK, 0, Buffer.concat([m.ifinfomsg({ flags: m.IFF_UP, change: m.IFF_UP }), m.attr(m.IFLA_IFNAME, m.str(name))]));
  }

  /** `ip link del NAME`; false when there is no such link. */
  deleteLink(name: string): boolean {
    try {
      this.request(m.RTM_DELLINK, 0, Buffer.concat([m.ifinfomsg(), m.attr(m.IFLA_IFNAME, m.str(name))]));
      return true;
    } catch (err) {
      if (err instanceof NetlinkError && err.errno === ENODEV) return false;
      throw err;
    }
  }

  /** `ip addr add A/P dev INDEX`: IFA_LOCAL and IFA_ADDRESS both A, no broadcast, scope global (host for 127/8). */
  addAddress(index: number, cidr: string): void {
    const [ip, prefix] = cidr.split('/');
    const addr = m.ipv4(ip!);
    const prefixLen = prefix === undefined ? 32 : Number(prefix);
    if (!Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > 32) throw new Error(`invalid prefix length in "${cidr}"`);
    const scope = addr[0] === 127 ? m.RT_SCOPE_HOST : m.RT_SCOPE_UNIVERSE;
    const body = Buffer.concat([m.ifaddrmsg({ family: m.AF_INET, prefixLen, scope, index }), m.attr(m.IFA_LOCAL, addr), m.attr(m.IFA_ADDRESS, addr)]);
    this.request(m.RTM_NEWADDR, m.NLM_F_CREATE | m.NLM_F_EXCL, body);
  }

  /** `ip route replace default via GW dev INDEX` (main table, proto boot, scope universe, unicast). */
  replaceDefaultRoute(gateway: string, index: number): void {
    const hdr = m.rtmsg({ family: m.AF_INET, dstLen: 0, table: m.RT_TABLE_MAIN, protocol: m.RTPROT_BOOT, scope: m.RT_SCOPE_UNIVERSE, type: m.RTN_UNICAST });
    this.request(m.RTM_NEWROUTE, m.NLM_F_CREATE | m.NLM_F_REPLACE, Buffer.concat([hdr, m.attr(m.RTA_GATEWAY, m.ipv4(gateway)), m.attr(m.RTA_OIF, m.u32(index))]));
  }

  /** A route to `dst` via `gateway` on `index` in `table` (e.g. 127.0.0.11/32 in the local table). */
  addRoute(r: { dst: string; dstLen: number; gateway: string; index: number; table: number }): void {
    const hdr = m.rtmsg({ family: m.AF_INET, dstLen: r.dstLen, table: r.table, protocol: m.RTPROT_BOOT, scope: m.RT_SCOPE_UNIVERSE, type: m.RTN_UNICAST });
    this.request(m.RTM_NEWROUTE, m.NLM_F_CREATE | m.NLM_F_REPLACE, Buffer.concat([hdr, m.attr(m.RTA_DST, m.ipv4(r.dst)), m.attr(m.RTA_GATEWAY, m.ipv4(r.gateway)), m.attr(m.RTA_OIF, m.u32(r.index))]));
  }
}
