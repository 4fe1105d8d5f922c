/**
 * Host network inspection and clean-up for the end-to-end suite: links, bridges, network
 * namespaces, nftables tables. Everything acts on names the caller owns; nothing here lists
 * and deletes by pattern on its own.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

function run(cmd: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return { code: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

interface IpLink {
  ifname: string;
  master?: string;
  link_type?: string;
  linkinfo?: { info_kind?: string };
}

function links(args: string[] = []): IpLink[] {
  const r = run('ip', ['-j', '-d', 'link', 'show', ...args]);
  if (r.code !== 0 || !r.stdout.trim()) return [];
  return JSON.parse(r.stdout) as IpLink[];
}

/** True when a network interface with this name exists in the host namespace. */
export function linkExists(name: string): boolean {
  return run('ip', ['link', 'show', 'dev', name]).code === 0;
}

/** The kind of a link (`bridge`, `veth`, ...) or undefined when it does not exist. */
export function linkKind(name: string): string | undefined {
  return links(['dev', name])[0]?.linkinfo?.info_kind;
}

/** Interfaces whose master is one of `bridges` (the host ends of container veths). */
export function linksWithMaster(bridges: Iterable<string>): string[] {
  const want = new Set(bridges);
  return links()
    .filter((l) => l.master !== undefined && want.has(l.master))
    .map((l) => l.ifname);
}

/** Delete a link by name (ignores "does not exist"); true when it was there. */
export function deleteLink(name: string): boolean {
  if (!linkExists(name)) return false;
  run('ip', ['link', 'del', 'dev', name]);
  return true;
}

/** Names of the network namespaces in /run/netns starting with `prefix`. */
export function netnsNames(prefix = ''): string[] {
  if (!existsSync('/run/netns')) return [];
  return readdirSync('/run/netns').filter((n) => n.startsWith(prefix));
}

/** `ip netns delete NAME` (unmounts and removes /run/netns/NAME); true when it was there. */
export function deleteNetns(name: string): boolean {
  if (!existsSync(`/run/netns/${name}`)) return false;
  const r = run('ip', ['netns', 'delete', name]);
  return r.code === 0;
}

/** True when the nftables table exists. */
export function nftTableExists(family: string, name: string): boolean {
  return run('nft', ['list', 'table', family, name]).code === 0;
}

/** `nft list table FAMILY NAME` output ('' when absent). */
export function nftListTable(family: string, name: string): string {
  const r = run('nft', ['list', 'table', family, name]);
  return r.code === 0 ? r.stdout : '';
}

/** Delete an nftables table; true when it was there. */
export function deleteNftTable(family: string, name: string): boolean {
  if (!nftTableExists(family, name)) return false;
  run('nft', ['delete', 'table', family, name]);
  return true;
}

/** Run `nft` with the given arguments; throws with stderr on failure. */
export function nft(args: string[]): string {
  const r = run('nft', args);
  if (r.code !== 0) throw new Error(`nft ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

function ipv4ToNum(a: string): number {
  return a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

/** [first, last] addresses of an IPv4 CIDR (a bare address is a /32). */
function cidrRange(cidr: string): [number, number] {
  const [addr, bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const first = Math.floor(ipv4ToNum(addr!) / size) * size;
  return [first, first + size - 1];
}

/** True when two IPv4 CIDRs share an address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const [a0, a1] = cidrRange(a);
  const [b0, b1] = cidrRange(b);
  return a0 <= b1 && b0 <= a1;
}

/** Host IPv4 routes (main table, default route excluded) overlapping `cidr`, e.g. someone else's bridge. */
export function routesOverlapping(cidr: string): string[] {
  const r = run('ip', ['-j', '-4', 'route', 'show']);
  if (r.code !== 0 || !r.stdout.trim()) return [];
  return (JSON.parse(r.stdout) as Array<{ dst: string; dev?: string }>)
    .filter((x) => x.dst !== 'default' && cidrsOverlap(x.dst, cidr))
    .map((x) => `${x.dst} dev ${x.dev ?? '?'}`);
}

/**
 * The host's own IPv4 address on its default-route interface (traffic to it stays on this
 * machine), or undefined without a default route.
 */
export function hostPrimaryAddress(): string | undefined {
  const route = run('ip', ['-j', '-4', 'route', 'show', 'default']);
  if (route.code !== 0 || !route.stdout.trim()) return undefined;
  const dev = (JSON.parse(route.stdout) as Array<{ dev?: string }>)[0]?.dev;
  if (!dev) return undefined;
  const addr = run('ip', ['-j', '-4', 'addr', 'show', 'dev', dev]);
  const info = (JSON.parse(addr.stdout || '[]') as Array<{ addr_info?: Array<{ local?: string; scope?: string }> }>)[0];
  return info?.addr_info?.find((a) => a.scope === 'global')?.local;
}

/**
 * A bridge the test owns holding one /32 address, so a service the test starts (e.g. a DNS
 * responder) is reachable from containers via their gateway while the traffic stays on this
 * host (routed to a local address, never forwarded). `remove()` deletes it.
 */
export function addHostAddress(ifname: string, address: string): { remove(): void } {
  if (ifname.length > 15) throw new Error(`interface name too long: ${ifname}`);
  if (!linkExists(ifname)) {
    const add = run('ip', ['link', 'add', ifname, 'type', 'bridge']);
    if (add.code !== 0) throw new Error(`failed to create ${ifname}: ${add.stderr.trim()}`);
  }
  const a = run('ip', ['addr', 'replace', `${address}/32`, 'dev', ifname]);
  const up = run('ip', ['link', 'set', ifname, 'up']);
  if (a.code !== 0 || up.code !== 0) {
    deleteLink(ifname);
    throw new Error(`failed to set up ${ifname} with ${address}: ${a.stderr}${up.stderr}`);
  }
  return { remove: () => void deleteLink(ifname) };
}
