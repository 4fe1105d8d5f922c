import { isIP } from 'node:net';

/** Docker Hub's API host for the `docker.io` domain. */
export const DOCKER_HUB_HOST = 'registry-1.docker.io';

/** The host[:port] to contact for a reference domain. */
export function apiHost(domain: string): string {
  return domain === 'docker.io' || domain === 'index.docker.io' ? DOCKER_HUB_HOST : domain;
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((n, p) => (n << 8) + Number(p), 0) >>> 0;
}

function inCidr(ip: string, cidr: string): boolean {
  const [net, bitsS] = cidr.split('/');
  const bits = Number(bitsS);
  if (!net || isIP(net) !== 4 || isIP(ip) !== 4 || !(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (ipv4ToInt(ip) & mask) === (ipv4ToInt(net) & mask);
}

function hostname(hostPort: string): string {
  if (hostPort.startsWith('[')) return hostPort.slice(1, hostPort.indexOf(']'));
  const i = hostPort.lastIndexOf(':');
  return i > 0 && hostPort.indexOf(':') === i ? hostPort.slice(0, i) : hostPort;
}

/**
 * Docker's rule: a registry is insecure (plain HTTP allowed, TLS errors ignored) when it is
 * listed in `insecure-registries` (host[:port] or CIDR) or is loopback (127.0.0.0/8, ::1, localhost).
 *
 * @example isInsecureRegistry('127.0.0.1:5000', []) // true
 */
export function isInsecureRegistry(hostPort: string, insecure: readonly string[]): boolean {
  const name = hostname(hostPort);
  if (name === 'localhost' || name === '::1' || inCidr(name, '127.0.0.0/8')) return true;
  for (const entry of insecure) {
    const e = entry.replace(/^https?:\/\//, '').replace(/\/+$/, '');
    if (e === hostPort || e === name) return true;
    if (e.includes('/') && inCidr(name, e)) return true;
  }
  return false;
}
