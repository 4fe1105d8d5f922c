import type { IPAMPoolConfig } from '../../../api-client/networks.js';
import { cidrContains, parseCIDR, parseIP } from '../../opts/ip.js';

/** `network create`'s IPAM flags. */
export interface IPAMFlags {
  subnets: string[];
  ipRanges: string[];
  gateways: string[];
  auxAddresses: Record<string, string>;
}

/**
 * Groups `--subnet`, `--ip-range`, `--gateway` and `--aux-address` into one pool per subnet,
 * with the docker CLI's checks and messages (every range/gateway/aux address must fall in
 * exactly one subnet; subnets must not overlap).
 *
 * @example ipamPools({ subnets: ['10.1.0.0/16'], ipRanges: [], gateways: ['10.1.0.1'], auxAddresses: {} })
 *   // [{ Subnet: '10.1.0.0/16', Gateway: '10.1.0.1' }]
 */
export function ipamPools(f: IPAMFlags): IPAMPoolConfig[] {
  if (f.subnets.length < f.ipRanges.length || f.subnets.length < f.gateways.length) throw new Error('every ip-range or gateway must have a corresponding subnet');
  const pools = new Map<string, IPAMPoolConfig & { AuxiliaryAddresses: Record<string, string> }>();
  for (const s of f.subnets) {
    for (const k of pools.keys()) {
      if (subnetMatches(s, k) || subnetMatches(k, s)) throw new Error('multiple overlapping subnet configuration is not supported');
    }
    pools.set(s, { Subnet: s, AuxiliaryAddresses: {} });
  }
  for (const r of f.ipRanges) {
    let match = false;
    for (const s of f.subnets) {
      parseCIDR(r);
      if (!subnetMatches(s, r)) continue;
      const pool = pools.get(s)!;
      if (pool.IPRange) throw new Error(`cannot configure multiple ranges (${r}, ${pool.IPRange}) on the same subnet (${s})`);
      pool.IPRange = r;
      match = true;
    }
    if (!match) throw new Error(`no matching subnet for range ${r}`);
  }
  for (const g of f.gateways) {
    let match = false;
    for (const s of f.subnets) {
      if (!subnetMatches(s, g)) continue;
      const pool = pools.get(s)!;
      if (pool.Gateway) throw new Error(`cannot configure multiple gateways (${g}, ${pool.Gateway}) for the same subnet (${s})`);
      pool.Gateway = g;
      match = true;
    }
    if (!match) throw new Error(`no matching subnet for gateway ${g}`);
  }
  for (const [key, a] of Object.entries(f.auxAddresses)) {
    let match = false;
    for (const s of f.subnets) {
      if (!subnetMatches(s, a)) continue;
      pools.get(s)!.AuxiliaryAddresses[key] = a;
      match = true;
    }
    if (!match) throw new Error(`no matching subnet for aux-address ${a}`);
  }
  return [...pools.values()].map((p) => {
    const out: IPAMPoolConfig = { Subnet: p.Subnet };
    if (p.IPRange) out.IPRange = p.IPRange;
    if (p.Gateway) out.Gateway = p.Gateway;
    if (Object.keys(p.AuxiliaryAddresses).length) out.AuxiliaryAddresses = p.AuxiliaryAddresses;
    return out;
  });
}

/** Whether `data` (an address, or the address part of a CIDR) lies in `subnet`. */
function subnetMatches(subnet: string, data: string): boolean {
  let net;
  try {
    net = parseCIDR(subnet);
  } catch (e) {
    throw new Error(`invalid subnet: ${(e as Error).message}`);
  }
  const ip = data.includes('/') ? parseCIDR(data).ip : parseIP(data);
  return ip !== undefined && cidrContains(net, ip);
}
