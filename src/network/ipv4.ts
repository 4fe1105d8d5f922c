/** IPv4 addresses and prefixes as numbers: parsing, formatting, containment. */

export interface Cidr {
  /** Network address (host bits cleared). */
  base: number;
  prefix: number;
}

/** Parses dotted-quad IPv4; undefined when it is not one. */
export function parseIp(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s.trim());
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** `a.b.c.d/n` → base + prefix (host bits cleared) and the address as written. */
export function parseCidr(s: string): { cidr: Cidr; address: number } | undefined {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(s.trim());
  if (!m) return undefined;
  const address = parseIp(m[1]);
  const prefix = Number(m[2]);
  if (address === undefined || prefix > 32) return undefined;
  return { cidr: { base: (address & mask(prefix)) >>> 0, prefix }, address };
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.base)}/${c.prefix}`;
}

export function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

export function contains(c: Cidr, ip: number): boolean {
  return ((ip & mask(c.prefix)) >>> 0) === c.base;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return ((a.base & mask(p)) >>> 0) === ((b.base & mask(p)) >>> 0);
}

/** Docker's MAC for an address: 02:42 followed by the four address bytes. */
export function macForIp(ip: number): string {
  return ['02', '42', ...[ip >>> 24, (ip >>> 16) & 255, (ip >>> 8) & 255, ip & 255].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}
