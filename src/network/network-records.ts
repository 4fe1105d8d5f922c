import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * On-disk layout owned by this file (drawn once):
 * ```
 * <data-root>/network/state.json   { schemaVersion: 1, networks: NetworkRecord[], sandboxes: SandboxRecord[] }
 * /run/netns/berth-<container id>  a running container's network namespace (bind mount)
 * ```
 * Written atomically (temp + rename) after every change, so kill -9 leaves either the old or
 * the new state; boot reconciles it with what the kernel really has.
 */
export const SCHEMA_VERSION = 1;

export interface IpamConfigRecord {
  Subnet: string;
  Gateway: string;
  IPRange?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

export interface NetworkRecord {
  id: string;
  name: string;
  driver: 'bridge' | 'host' | 'null';
  created: string;
  internal: boolean;
  attachable: boolean;
  enableIPv6: boolean;
  labels: Record<string, string>;
  options: Record<string, string>;
  ipam: { driver: string; options: Record<string, string> | null; config: IpamConfigRecord[]; userConfig: boolean };
  /** Linux bridge name ('' for host and none). */
  bridge: string;
  predefined: boolean;
}

/** A container's attachment to one network while it runs. */
export interface EndpointRecord {
  id: string;
  networkId: string;
  containerId: string;
  /** Container name without the leading slash. */
  name: string;
  ifname: string;
  hostIf: string;
  ip: string;
  prefixLen: number;
  gateway: string;
  mac: string;
  aliases: string[] | null;
  dnsNames: string[];
  ipamConfig: { IPv4Address?: string; IPv6Address?: string } | null;
  links: string[] | null;
}

/** A published port as held. */
export interface PortMappingRecord {
  proto: 'tcp' | 'udp' | 'sctp';
  hostIp: string;
  hostPort: number;
  ctrPort: number;
}

/** A running container's network namespace and everything attached to it. */
export interface SandboxRecord {
  containerId: string;
  id: string;
  netnsName: string;
  netns: string;
  endpoints: EndpointRecord[];
  ports: PortMappingRecord[];
  /** Upstream resolvers for names that are not containers' (from --dns). */
  dns: string[];
}

export interface NetworkState {
  schemaVersion: number;
  networks: NetworkRecord[];
  sandboxes: SandboxRecord[];
}

export function loadState(file: string): NetworkState {
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as NetworkState;
    if (s.schemaVersion === SCHEMA_VERSION) return s;
  } catch {
    // first boot
  }
  return { schemaVersion: SCHEMA_VERSION, networks: [], sandboxes: [] };
}

export function saveState(file: string, s: NetworkState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(s));
  renameSync(tmp, file);
}
