/**
 * rtnetlink wire format (linux/netlink.h, linux/rtnetlink.h, linux/if_link.h), packed by hand:
 * a 16-byte nlmsghdr, a fixed family header (ifinfomsg, ifaddrmsg, rtmsg), then attributes,
 * each `len:u16 type:u16 value` padded to 4 bytes; a nested attribute's value is more
 * attributes (VETH_INFO_PEER's starts with an ifinfomsg). Host byte order is little endian.
 *
 * @example
 *   const body = Buffer.concat([ifinfomsg({ index: 3, flags: IFF_UP, change: IFF_UP }), attr(IFLA_MASTER, u32(7))]);
 *   sock.send(message(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, seq, body));
 */

export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
export const RTM_NEWADDR = 20;
export const RTM_NEWROUTE = 24;

export const NLM_F_REQUEST = 0x1;
export const NLM_F_ACK = 0x4;
export const NLM_F_REPLACE = 0x100;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
/** In an ack: the echoed request was cut to its header / extended-ack attributes follow. */
export const NLM_F_CAPPED = 0x100;
export const NLM_F_ACK_TLVS = 0x200;
export const NLMSGERR_ATTR_MSG = 1;

export const AF_UNSPEC = 0;
export const AF_INET = 2;
export const IFF_UP = 0x1;

export const IFLA_ADDRESS = 1;
export const IFLA_IFNAME = 3;
export const IFLA_MTU = 4;
export const IFLA_MASTER = 10;
export const IFLA_LINKINFO = 18;
export const IFLA_NET_NS_FD = 28;
export const IFLA_INFO_KIND = 1;
export const IFLA_INFO_DATA = 2;
export const VETH_INFO_PEER = 1;

export const IFA_ADDRESS = 1;
export const IFA_LOCAL = 2;

export const RTA_OIF = 4;
export const RTA_GATEWAY = 5;
export const RT_TABLE_MAIN = 254;
export const RT_TABLE_LOCAL = 255;
export const RTA_DST = 1;
export const RTPROT_BOOT = 3;
export const RT_SCOPE_UNIVERSE = 0;
export const RT_SCOPE_HOST = 254;
export const RTN_UNICAST = 1;

const NLMSG_HDRLEN = 16;
const align = (n: number): number => (n + 3) & ~3;

/** One attribute: `parts` are its value, concatenated (already-encoded attributes nest). */
export function attr(type: number, ...parts: Buffer[]): Buffer {
  const value = Buffer.concat(parts);
  const out = Buffer.alloc(align(4 + value.length));
  out.writeUInt16LE(4 + value.length, 0);
  out.writeUInt16LE(type, 2);
  value.copy(out, 4);
  return out;
}

export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

/** NUL-terminated, as the kernel's NLA_STRING policies expect from iproute2. */
export const str = (s: string): Buffer => Buffer.from(`${s}\0`, 'utf8');

export function ipv4(s: string): Buffer {
  const parts = s.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`invalid IPv4 address "${s}"`);
  return Buffer.from(parts);
}

export function mac(s: string): Buffer {
  const parts = s.split(':');
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) throw new Error(`invalid MAC address "${s}"`);
  return Buffer.from(parts.map((p) => parseInt(p, 16)));
}

export function ifinfomsg(h: { family?: number; index?: number; flags?: number; change?: number } = {}): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt8(h.family ?? AF_UNSPEC, 0);
  b.writeInt32LE(h.index ?? 0, 4);
  b.writeUInt32LE(h.flags ?? 0, 8);
  b.writeUInt32LE(h.change ?? 0, 12);
  return b;
}

export function ifaddrmsg(h: { family: number; prefixLen: number; scope: number; index: number }): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt8(h.family, 0);
  b.writeUInt8(h.prefixLen, 1);
  b.writeUInt8(h.scope, 3);
  b.writeUInt32LE(h.index, 4);
  return b;
}

export function rtmsg(h: { family: number; dstLen: number; table: number; protocol: number; scope: number; type: number }): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt8(h.family, 0);
  b.writeUInt8(h.dstLen, 1);
  b.writeUInt8(h.table, 4);
  b.writeUInt8(h.protocol, 5);
  b.writeUInt8(h.scope, 6);
  b.writeUInt8(h.type, 7);
  return b;
}

/** A whole request: nlmsghdr (pid 0: the kernel fills in the socket's) + body. */
export function message(type: number, flags: number, seq: number, body: Buffer): Buffer {
  const b = Buffer.alloc(NLMSG_HDRLEN + align(body.length));
  b.writeUInt32LE(NLMSG_HDRLEN + body.length, 0);
  b.writeUInt16LE(type, 4);
  b.writeUInt16LE(flags, 6);
  b.writeUInt32LE(seq >>> 0, 8);
  body.copy(b, NLMSG_HDRLEN);
  return b;
}

export interface Reply {
  type: number;
  flags: number;
  seq: number;
  payload: Buffer;
}

/** Splits one datagram into its messages. */
export function parseMessages(buf: Buffer): Reply[] {
  const out: Reply[] = [];
  let off = 0;
  while (off + NLMSG_HDRLEN <= buf.length) {
    const len = buf.readUInt32LE(off);
    if (len < NLMSG_HDRLEN || off + len > buf.length) throw new Error(`malformed netlink message (length ${len} at ${off} of ${buf.length})`);
    out.push({ type: buf.readUInt16LE(off + 4), flags: buf.readUInt16LE(off + 6), seq: buf.readUInt32LE(off + 8), payload: buf.subarray(off + NLMSG_HDRLEN, off + len) });
    off += align(len);
  }
  return out;
}

/** Attributes by type (the last of a repeated type wins); nested flags are masked off. */
export function parseAttrs(buf: Buffer): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  let off = 0;
  while (off + 4 <= buf.length) {
    const len = buf.readUInt16LE(off);
    if (len < 4 || off + len > buf.length) break;
    out.set(buf.readUInt16LE(off + 2) & 0x3fff, buf.subarray(off + 4, off + len));
    off += align(len);
  }
  return out;
}

/** An NLMSG_ERROR payload: errno 0 is an ack; `message` is the kernel's extended ack text, if any. */
export function decodeError(r: Reply): { errno: number; message?: string } {
  const errno = -r.payload.readInt32LE(0);
  if (!(r.flags & NLM_F_ACK_TLVS)) return { errno };
  const echoed = r.flags & NLM_F_CAPPED ? NLMSG_HDRLEN : align(r.payload.readUInt32LE(4));
  const msg = parseAttrs(r.payload.subarray(4 + echoed)).get(NLMSGERR_ATTR_MSG);
  return { errno, message: msg ? msg.toString('utf8').replace(/\0+$/, '') : undefined };
}
