import { mkdirSync, readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
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


/**
 * Writes the state file off the event loop, coalescing: saves asked for while a write is in flight
 * become one more write of the newest state. A write replaces the file by rename, so a crash leaves
 * the previous or the next state, never a torn one (boot reconciles either with the host).
 * @example const w = new StateWriter(file, () => state, log); w.save(); ...; await w.flush();
 */
export class StateWriter {
  private writing: Promise<void> | undefined;
  private pending = false;

  constructor(
    private readonly file: string,
    private readonly snapshot: () => NetworkState,
    private readonly onError: (err: unknown) => void,
  ) {}

  save(): void {
    this.pending = true;
    this.writing ??= this.drain();
  }

  /** Resolves once everything saved so far is on disk. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** Writes until no save is pending; clears `writing` in the same turn that finds none pending. */
  private async drain(): Promise<void> {
    await undefined; // never settle synchronously: save() assigns `writing` first
    try {
      mkdirSync(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      while (this.pending) {
        this.pending = false;
        await writeFile(tmp, JSON.stringify(this.snapshot()));
        await rename(tmp, this.file);
      }
    } catch (err) {
      this.pending = false;
      this.onError(err);
    }
    this.writing = undefined;
  }
}
