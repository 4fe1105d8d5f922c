/**
 * IP, CIDR and MAC parsing with Go's `net` semantics (what the docker CLI validates with):
 * dotted IPv4 without leading zeros, IPv6 without a zone, canonical text like `IP.String()`.
 */

/** An address as bytes: 4 for IPv4, 16 for IPv6 (IPv4-mapped IPv6 stays 16). */
export type IPBytes = Uint8Array;

/** Go's `net.ParseIP`: the address bytes, or undefined when `s` is not an address. */
export function parseIP(s: string): IPBytes | undefined {
  return s.includes(':') ? parseIPv6(s) : parseIPv4(s);
}

function parseIPv4(s: string): IPBytes | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseIPv6(s: string): IPBytes | undefined {
  if (s.includes('%')) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const total = head.length + tail.length;
  if (halves.length === 2 ? total > 7 : total !== 8) return undefined;
  const all = [...head, ...new Array<number>(8 - total).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** The IPv4 form of an address (4 bytes) when it is IPv4 or IPv4-mapped IPv6 (Go's `To4`). */
export function to4(ip: IPBytes): IPBytes | undefined {
  if (ip.length === 4) return ip;
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return undefined;
  return ip[10] === 0xff && ip[11] === 0xff ? ip.slice(12) : undefined;
}

/** Go's `IP.String()`: dotted IPv4 (also for IPv4-mapped), compressed lower-case IPv6. */
export function ipString(ip: IPBytes): string {
  const v4 = to4(ip);
  if (v4) return [...v4].join('.');
  const g = Array.from({ length: 8 }, (_, i) => (ip[2 * i]! << 8) | ip[2 * i + 1]!);
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  const hex = (a: number[]): string => a.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

/** `net.ParseIP(s).String()`, or undefined for a bad address. */
export function canonicalIP(s: string): string | undefined {
  const ip = parseIP(s);
  return ip ? ipString(ip) : undefined;
}

/** A parsed `addr/bits`: the address as written and its network. */
export interface CIDR {
  ip: IPBytes;
  network: IPBytes;
  bits: number;
}

/** Go's `net.ParseCIDR`; throws `invalid CIDR address: s` like Go. */
export function parseCIDR(s: string): CIDR {
  const bad = new Error(`invalid CIDR address: ${s}`);
  const slash = s.indexOf('/');
  if (slash < 0) throw bad;
  const ip = parseIP(s.slice(0, slash));
  const mask = s.slice(slash + 1);
  if (!ip || !/^\d+$/.test(mask)) throw bad;
  const bits = Number(mask);
  if (bits > ip.length * 8) throw bad;
  const network = ip.map((b, i) => b & maskByte(bits, i));
  return { ip, network, bits };
}

function maskByte(bits: number, i: number): number {
  const left = bits - 8 * i;
  if (left >= 8) return 0xff;
  if (left <= 0) return 0;
  return (0xff << (8 - left)) & 0xff;
}

/** Go's `IPNet.Contains`. */
export function cidrContains(n: CIDR, ip: IPBytes): boolean {
  const x = to4(ip) ?? ip;
  if (x.length !== n.network.length) return false;
  for (let i = 0; i < x.length; i++) if ((x[i]! & maskByte(n.bits, i)) !== n.network[i]) return false;
  return true;
}

/** Go's `net.ParseMAC` acceptance: 6, 8 or 20 octets as `xx:xx`, `xx-xx` or `xxxx.xxxx`. */
export function isMAC(s: string): boolean {
  const sizes = [6, 8, 20];
  if (s.length < 14) return false;
  if (s[2] === ':' || s[2] === '-') {
    if ((s.length + 1) % 3 !== 0 || !sizes.includes((s.length + 1) / 3)) return false;
    const sep = s[2]!;
    return s.split(sep).every((p) => /^[0-9a-fA-F]{2}$/.test(p));
  }
  if (s[4] === '.') {
    if ((s.length + 1) % 5 !== 0 || !sizes.includes((2 * (s.length + 1)) / 5)) return false;
    return s.split('.').every((p) => /^[0-9a-fA-F]{4}$/.test(p));
  }
  return false;
}
