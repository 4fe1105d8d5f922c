import { EngineError, forbidden, invalid } from '../shared/errors.js';
import { contains, formatCidr, formatIp, mask, overlaps, parseCidr, parseIp, size, type Cidr } from './ipv4.js';

/** `default-address-pools` entry (dockerd's daemon.json shape). */
export interface AddressPoolSpec {
  base: string;
  size: number;
}

/** dockerd's default pools: 172.17-31.0.0/16 as /16s, then 192.168.0.0/16 as /20s. */
export const DEFAULT_POOLS: AddressPoolSpec[] = [
  ...Array.from({ length: 15 }, (_, i) => ({ base: `172.${17 + i}.0.0/16`, size: 16 })),
  { base: '192.168.0.0/16', size: 20 },
];

/** One IPv4 IPAM config of a network (what `IPAM.Config[0]` says, resolved). */
export interface Ipv4Config {
  subnet: Cidr;
  gateway: number;
  /** Where container addresses come from (`--ip-range`, default the subnet). */
  range: Cidr;
  /** `--aux-address` reservations. */
  aux: number[];
}

/** The first subnet from `pools` that overlaps none of `used`; Docker's error when none is left. */
export function pickSubnet(pools: AddressPoolSpec[], used: Cidr[]): Cidr {
  for (const pool of pools) {
    const base = parseCidr(pool.base);
    if (!base || pool.size < base.cidr.prefix || pool.size > 30) continue;
    const step = size({ base: 0, prefix: pool.size });
    for (let n = base.cidr.base; contains(base.cidr, n); n += step) {
      const c = { base: n >>> 0, prefix: pool.size };
      if (!used.some((u) => overlaps(u, c))) return c;
      if (n + step > 0xffffffff) break;
    }
  }
  throw forbidden('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
}

/** Request shape of one `IPAM.Config` entry. */
export interface IpamConfigRequest {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string> | null;
}

/**
 * Resolves a network's IPv4 config: the user's subnet/range/gateway checked with Docker's
 * wording, or a free subnet from the pools. `used` are subnets already taken (other networks,
 * host routes).
 */
export function resolveIpv4(req: IpamConfigRequest | undefined, pools: AddressPoolSpec[], used: { cidr: Cidr; ours: boolean }[]): Ipv4Config {
  let subnet: Cidr;
  if (req?.Subnet) {
    const p = parseCidr(req.Subnet);
    if (!p) throw new EngineError('internal', `Invalid subnet ${req.Subnet} : invalid CIDR address: ${req.Subnet}`);
    if (p.cidr.base !== p.address) throw invalid(`invalid subnet ${req.Subnet} : it should be ${formatCidr(p.cidr)}`);
    subnet = p.cidr;
    if (used.some((u) => u.ours && overlaps(u.cidr, subnet))) throw forbidden('Pool overlaps with other one on this address space');
  } else {
    if (req?.IPRange || req?.Gateway) throw invalid('ip-range or gateway specified without a subnet');
    subnet = pickSubnet(pools, used.map((u) => u.cidr));
  }
  let range = subnet;
  if (req?.IPRange) {
    const r = parseCidr(req.IPRange);
    if (!r) throw invalid(`invalid CIDR address: ${req.IPRange}`);
    if (!contains(subnet, r.cidr.base) || r.cidr.prefix < subnet.prefix) throw invalid(`Invalid range ${req.IPRange} for subnet ${formatCidr(subnet)}`);
    range = r.cidr;
  }
  let gateway = subnet.base + 1;
  if (req?.Gateway) {
    const g = parseIp(req.Gateway);
    if (g === undefined) throw invalid(`invalid gateway address ${req.Gateway}`);
    if (!contains(subnet, g)) throw forbidden(`no matching subnet for gateway ${req.Gateway}`);
    const bcast = (subnet.base | (~mask(subnet.prefix) >>> 0)) >>> 0;
    if (subnet.prefix < 31 && (g === subnet.base || g === bcast)) throw new EngineError('internal', `failed to allocate gateway (${req.Gateway}): Address already in use`);
    gateway = g;
  }
  const aux: number[] = [];
  for (const [name, a] of Object.entries(req?.AuxiliaryAddresses ?? {})) {
    const n = parseIp(a);
    if (n === undefined || !contains(subnet, n)) throw forbidden(`no matching subnet for aux-address ${name}`);
    aux.push(n);
  }
  return { subnet, gateway, range, aux };
}

/**
 * Container addresses of one network: lowest free address of the range, skipping the
 * network and broadcast addresses, the gateway and aux reservations.
 */
export class AddressAllocator {
  private readonly used = new Set<number>();

  constructor(private readonly cfg: Ipv4Config) {}

  /** Marks an address as taken (restoring leases). */
  claim(ip: number): void {
    this.used.add(ip);
  }

  release(ip: number): void {
    this.used.delete(ip);
  }

  isUsed(ip: number): boolean {
    return this.used.has(ip) || this.reserved(ip);
  }

  /** A specific address (`--ip`), Docker's errors when it cannot be had. */
  take(ip: string): number {
    const n = parseIp(ip);
    if (n === undefined) throw invalid(`invalid IPv4 address: ${ip}`);
    if (!contains(this.cfg.subnet, n)) throw invalid(`Invalid address ${ip}: It does not belong to any of this network's subnets`);
    if (this.isUsed(n)) throw forbidden('Address already in use');
    this.used.add(n);
    return n;
  }

  /** The lowest free address in the range. */
  next(): number {
    const { range } = this.cfg;
    const last = range.base + size(range) - 1;
    for (let n = range.base; n <= last; n++) {
      if (!this.isUsed(n)) {
        this.used.add(n);
        return n;
      }
    }
    throw forbidden(`no available IPv4 addresses on this network's address pools: ${formatCidr(this.cfg.subnet)}`);
  }

  private reserved(n: number): boolean {
    const { subnet, gateway, aux } = this.cfg;
    const bcast = (subnet.base | (~mask(subnet.prefix) >>> 0)) >>> 0;
    return n === gateway || aux.includes(n) || (subnet.prefix < 31 && (n === subnet.base || n === bcast));
  }
}

export { formatIp };
