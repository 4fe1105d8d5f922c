import type { HostLink, NetHost, VethSpec } from '../host/net-host.js';

/**
 * A NetHost that records every host side effect and keeps a model of links, namespaces and
 * the nft script, for unit tests of the network module's logic (no root, no kernel).
 */
export class RecordingNetHost implements NetHost {
  readonly calls: string[] = [];
  readonly bridges = new Map<string, { address: string; mtu: number }>();
  readonly veths = new Map<string, { netns: string; spec: VethSpec }>();
  readonly namespaces = new Set<string>();
  readonly sysctls = new Map<string, string>();
  readonly tables = new Set<string>();
  lastRuleset = '';
  hostRoutes: string[] = [];
  /** Makes the next call of that method fail once. */
  failNext: Partial<Record<keyof NetHost, Error>> = {};

  private maybeFail(m: keyof NetHost): void {
    const e = this.failNext[m];
    if (e) {
      delete this.failNext[m];
      throw e;
    }
  }

  async ensureBridge(name: string, address: string, mtu: number): Promise<void> {
    this.maybeFail('ensureBridge');
    this.calls.push(`bridge ${name} ${address} mtu ${mtu}`);
    this.bridges.set(name, { address, mtu });
  }

  async deleteLink(name: string): Promise<void> {
    this.calls.push(`del ${name}`);
    this.bridges.delete(name);
    this.veths.delete(name);
  }

  async createNetns(name: string): Promise<string> {
    this.maybeFail('createNetns');
    const path = `/run/netns/${name}`;
    this.calls.push(`netns add ${name}`);
    this.namespaces.add(path);
    return path;
  }

  async deleteNetns(path: string): Promise<void> {
    this.calls.push(`netns del ${path}`);
    this.namespaces.delete(path);
    for (const [k, v] of this.veths) if (`/run/netns/${v.netns}` === path) this.veths.delete(k);
  }

  netnsExists(path: string): boolean {
    return this.namespaces.has(path);
  }

  async addVeth(netnsName: string, v: VethSpec): Promise<void> {
    this.maybeFail('addVeth');
    this.calls.push(`veth ${v.hostIf} ${v.ctrIf}@${netnsName} ${v.address} ${v.mac} master ${v.bridge}${v.gateway ? ` gw ${v.gateway}` : ''}${v.dnsVia ? ` dns ${v.dnsVia.address}` : ''}`);
    this.veths.set(v.hostIf, { netns: netnsName, spec: v });
  }

  async links(): Promise<HostLink[]> {
    return [
      ...[...this.bridges.keys()].map((name) => ({ name, kind: 'bridge' })),
      ...[...this.veths].map(([name, v]) => ({ name, kind: 'veth', master: v.spec.bridge })),
    ];
  }

  async routes(): Promise<string[]> {
    const own = [...this.bridges.values()].map((b) => b.address.replace(/\.\d+\/(\d+)$/, '.0/$1'));
    return [...this.hostRoutes, ...own];
  }

  async localAddresses(): Promise<string[]> {
    return ['127.0.0.1'];
  }

  async linkAddresses(name: string): Promise<string[]> {
    const b = this.bridges.get(name);
    return b ? [b.address] : [];
  }

  async nft(script: string): Promise<void> {
    this.maybeFail('nft');
    this.calls.push('nft');
    const m = /^table ip (\S+) \{\}\nflush/m.exec(script);
    if (m) {
      this.lastRuleset = script;
      this.tables.add(m[1]);
    }
    const u = /^table ip (\S+-user) \{ chain/m.exec(script);
    if (u) this.tables.add(u[1]);
  }

  async hasTable(_family: string, name: string): Promise<boolean> {
    return this.tables.has(name);
  }

  sysctl(key: string, value: string): void {
    this.sysctls.set(key, value);
  }
}
