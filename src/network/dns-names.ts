import type { DnsScope } from './dns/dns-types.js';
import type { EndpointRecord, NetworkRecord, SandboxRecord } from './network-records.js';

export interface DnsNamesSource {
  networks(): NetworkRecord[];
  sandboxes(): SandboxRecord[];
  /** Where names that are not containers' go for this container. */
  upstreams(sb: SandboxRecord): string[];
}

/**
 * What the embedded DNS may answer, from the live records: a container sees the names of
 * containers that share a user-defined network with it (name, aliases, short ID, hostname,
 * and `name.network`), nothing from other networks, nothing on the default bridge.
 */
export class DnsNames implements DnsScope {
  constructor(private readonly src: DnsNamesSource) {}

  lookup(server: string, client: string, name: string): string[] | undefined {
    const who = this.client(server, client);
    if (!who) return undefined;
    const q = name.toLowerCase().replace(/\.$/, '');
    for (const net of who.networks) {
      const suffix = `.${net.name.toLowerCase()}`;
      const bare = q.endsWith(suffix) ? q.slice(0, -suffix.length) : q;
      const hits = this.endpointsOn(net.id).filter((e) => e.dnsNames.some((d) => d.toLowerCase() === bare));
      if (hits.length) return hits.map((e) => e.ip);
    }
    return undefined;
  }

  reverse(server: string, client: string, address: string): string | undefined {
    const who = this.client(server, client);
    if (!who) return undefined;
    for (const net of who.networks) {
      const e = this.endpointsOn(net.id).find((x) => x.ip === address);
      if (e) return `${e.name}.${net.name}`;
    }
    return undefined;
  }

  upstreams(server: string, client: string): string[] {
    const net = this.networkAt(server);
    if (!net || net.internal) return [];
    const who = this.client(server, client);
    if (who?.networks.every((n) => n.internal)) return [];
    const sb = this.src.sandboxes().find((s) => s.endpoints.some((e) => e.networkId === net.id && e.ip === client));
    return sb ? this.src.upstreams(sb) : this.src.upstreams({ containerId: '', id: '', netnsName: '', netns: '', endpoints: [], ports: [], dns: [] });
  }

  /** The asking container's user networks, the one it asked on first. */
  private client(server: string, client: string): { sb: SandboxRecord; networks: NetworkRecord[] } | undefined {
    const net = this.networkAt(server);
    if (!net) return undefined;
    const sb = this.src.sandboxes().find((s) => s.endpoints.some((e) => e.networkId === net.id && e.ip === client));
    if (!sb) return undefined;
    const all = this.src.networks();
    const networks = [net, ...sb.endpoints.map((e) => all.find((n) => n.id === e.networkId)).filter((n): n is NetworkRecord => !!n && n !== net && !n.predefined)];
    return { sb, networks };
  }

  private networkAt(server: string): NetworkRecord | undefined {
    return this.src.networks().find((n) => !n.predefined && n.ipam.config[0]?.Gateway === server);
  }

  private endpointsOn(networkId: string): EndpointRecord[] {
    return this.src.sandboxes().flatMap((s) => s.endpoints.filter((e) => e.networkId === networkId));
  }
}
