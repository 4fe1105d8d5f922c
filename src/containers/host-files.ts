import { writeFile } from 'node:fs/promises';
import type { HostConfig } from '../api/types.js';
import type { ContainerPaths } from './container-record.js';

const LOCAL_HOSTS = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

/** `/etc/hosts` for a container: localhost entries, the container's hostname, --add-host entries. */
export function hostsFile(hostname: string, extraHosts: string[] | null | undefined, hostHosts?: string): string {
  const lines = hostHosts !== undefined ? [hostHosts.trimEnd()] : [...LOCAL_HOSTS, `127.0.1.1\t${hostname}`];
  for (const e of extraHosts ?? []) {
    const i = e.indexOf(':');
    if (i > 0) lines.push(`${e.slice(i + 1)}\t${e.slice(0, i)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * `/etc/resolv.conf`: the host's (without loopback nameservers unless host networking) for
 * host mode, an empty search-only file for isolated modes; --dns/--dns-search/--dns-option override.
 */
export function resolvConf(hostResolv: string, mode: 'host' | 'none', h: Pick<HostConfig, 'Dns' | 'DnsSearch' | 'DnsOptions'>): string {
  const src = mode === 'host' ? hostResolv.split('\n') : [];
  const keep = (prefix: string): string[] => src.filter((l) => l.trim().startsWith(prefix));
  const ns = h.Dns?.length ? h.Dns.map((d) => `nameserver ${d}`) : keep('nameserver');
  const search = h.DnsSearch?.length ? [`search ${h.DnsSearch.join(' ')}`] : keep('search');
  const opts = h.DnsOptions?.length ? [`options ${h.DnsOptions.join(' ')}`] : keep('options');
  return [...search, ...ns, ...opts].join('\n') + '\n';
}

/** Writes hostname, hosts and resolv.conf into the container dir. */
export async function writeHostFiles(
  p: ContainerPaths,
  hostname: string,
  mode: 'host' | 'none',
  h: HostConfig,
  host: { resolvConf: string; hosts?: string },
): Promise<void> {
  await writeFile(p.hostname, `${hostname}\n`);
  await writeFile(p.hosts, hostsFile(hostname, h.ExtraHosts, mode === 'host' ? host.hosts : undefined));
  await writeFile(p.resolvConf, resolvConf(host.resolvConf, mode, h));
}
