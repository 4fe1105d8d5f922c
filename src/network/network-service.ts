import { randomBytes } from 'node:crypto';
import type { EndpointSettings, NetworkResource } from '../api/types.js';
import { EngineError, forbidden, invalid, notFound } from '../shared/errors.js';
import type { Filters } from '../shared/filters.js';
import { newId } from '../shared/ids.js';
import { silentLogger, type Logger } from '../shared/logger.js';
import type { EmbeddedDns } from './dns/dns-types.js';
import { DnsNames } from './dns-names.js';
import type { NetHost } from './host/net-host.js';
import { hostsFile, nameservers, resolvConf } from './host-files.js';
import { AddressAllocator, resolveIpv4, type IpamConfigRequest, type Ipv4Config } from './ipam.js';
import { contains, formatIp, macForIp, parseCidr, parseIp, type Cidr } from './ipv4.js';
import { tableName, type NetworkConfig } from './network-config.js';
import { loadState, StateWriter, type EndpointRecord, type NetworkRecord, type NetworkState, type SandboxRecord } from './network-records.js';
import type { ContainerNetworkView, NetworkEvent, SandboxInfo, SandboxSpec } from './network-types.js';
import { emptyEndpoint, endpointSettings, matchesNetwork, networkResource, pruneLabels, untilCutoff } from './network-views.js';
import { BRIDGE_NAME_OPT, ipamRecord, MTU_OPT, PREDEFINED, predefinedNetwork, type PredefinedName } from './predefined-networks.js';
import { renderRuleset, renderUserTable } from './nft-ruleset.js';
import { PortAllocator } from './port-allocator.js';
import { publishedPorts, portViews } from './published-ports.js';
import { isoTime } from '../shared/iso-time.js';

/** `POST /networks/create` body. */
export interface NetworkCreateRequest {
  Name?: string;
  CheckDuplicate?: boolean;
  Driver?: string;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  EnableIPv6?: boolean;
  IPAM?: { Driver?: string; Options?: Record<string, string> | null; Config?: IpamConfigRequest[] | null } | null;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

export interface NetworkServiceDeps {
  stateFile: string;
  host: NetHost;
  config: NetworkConfig;
  /** Builds the embedded DNS server over the service's name scope. */
  dns?: (names: DnsNames) => EmbeddedDns;
  hostResolvConf: () => string;
  publish?: (e: NetworkEvent) => void;
  logger?: Logger;
}

/** Where containers on user networks find the embedded DNS (Docker's address). */
const EMBEDDED_DNS = '127.0.0.11';

/**
 * Networks and the containers' attachments to them: IPAM, bridges, namespaces and veths,
 * published ports (nftables), the embedded DNS. The container service reaches it through
 * attach/detach/connect/disconnect/view; the API through list/inspect/create/remove/prune.
 *
 * Lifecycle: open() (load records, make bridges and the firewall table match them) ->
 * reconcile(running) once the container service knows which containers still run ->
 * attach() at each start, detach() at each exit -> close().
 */
export class NetworkService {
  private readonly allocators = new Map<string, { cfg: Ipv4Config; alloc: AddressAllocator }>();
  private readonly ports = new PortAllocator();
  private readonly names: DnsNames;
  private dns: EmbeddedDns | undefined;
  private dnsPort = 0;
  private readonly table: string;
  private rulesQueue: Promise<void> = Promise.resolve();
  private rulesWanted = 0;
  private readonly log: Logger;
  private readonly writer: StateWriter;

  private constructor(private readonly deps: NetworkServiceDeps, private readonly state: NetworkState) {
    this.table = tableName(deps.config.bridgeName);
    this.log = deps.logger ?? silentLogger;
    this.writer = new StateWriter(deps.stateFile, () => this.state, (err) => this.log.error('failed to save network state', { err }));
    this.names = new DnsNames({
      networks: () => this.state.networks,
      sandboxes: () => this.state.sandboxes,
      upstreams: (sb) => (sb.dns.length ? sb.dns : this.deps.config.dns.length ? this.deps.config.dns : nameservers(this.deps.hostResolvConf())),
    });
  }

  static async open(deps: NetworkServiceDeps): Promise<NetworkService> {
    const svc = new NetworkService(deps, loadState(deps.stateFile));
    await svc.boot();
    return svc;
  }

  // ---------------------------------------------------------------- boot and reconcile

  private async boot(): Promise<void> {
    const { config, host } = this.deps;
    const byName = (n: string): NetworkRecord | undefined => this.state.networks.find((r) => r.predefined && r.name === n);
    for (const name of PREDEFINED) {
      if (name === 'bridge' && config.bridgeName === 'none') {
        this.state.networks = this.state.networks.filter((n) => !(n.predefined && n.name === 'bridge'));
        continue;
      }
      if (!byName(name)) this.state.networks.push(await this.predefined(name));
    }
    const def = byName('bridge');
    if (def) {
      def.bridge = config.bridgeName;
      def.options[BRIDGE_NAME_OPT] = config.bridgeName;
    }
    for (const n of this.state.networks) if (n.driver === 'bridge') this.allocators.set(n.id, this.allocatorFor(n));
    for (const sb of this.state.sandboxes) {
      for (const e of sb.endpoints) this.allocators.get(e.networkId)?.alloc.claim(parseIp(e.ip)!);
    }
    if (config.ipForward) {
      try {
        host.sysctl('net.ipv4.ip_forward', '1');
      } catch (err) {
        this.log.warn('failed to enable IP forwarding', { err });
      }
    }
    for (const n of this.state.networks) if (n.driver === 'bridge') await this.ensureBridge(n);
    if (this.deps.dns) {
      this.dns = this.deps.dns(this.names);
      for (const n of this.state.networks) if (this.hasDns(n)) await this.listenDns(n);
    }
    if (config.iptables && !(await host.hasTable('ip', `${this.table}-user`))) await host.nft(renderUserTable(this.table));
    this.save();
  }

  /**
   * Compares the records with what runs: sandboxes of containers that no longer run are torn
   * down, the held ports of the running ones are taken again, links and namespaces the
   * records do not know are removed, and the firewall table is rewritten from the records.
   */
  async reconcile(running: Set<string>): Promise<void> {
    for (const sb of [...this.state.sandboxes]) {
      if (!running.has(sb.containerId) || !this.deps.host.netnsExists(sb.netns)) {
        await this.detach(sb.containerId);
        continue;
      }
      if (sb.ports.length) {
        try {
          await this.ports.reserve(sb.containerId, sb.ports.map((p) => ({ proto: p.proto, hostIp: p.hostIp, hostPort: String(p.hostPort) })), sb.containerId.slice(0, 12));
        } catch (err) {
          this.log.warn('failed to hold published ports again after restart', { id: sb.containerId, err });
        }
      }
    }
    const ours = new Set(this.state.sandboxes.flatMap((s) => s.endpoints.map((e) => e.hostIf)));
    const bridges = new Set(this.state.networks.filter((n) => n.driver === 'bridge').map((n) => n.bridge));
    for (const l of await this.deps.host.links().catch(() => [])) {
      if (l.kind === 'veth' && l.master && bridges.has(l.master) && !ours.has(l.name)) await this.deps.host.deleteLink(l.name).catch(() => {});
    }
    await this.applyRules();
  }

  async close(): Promise<void> {
    await this.writer.flush();
    await this.ports.close();
    await this.dns?.close();
  }

  // ---------------------------------------------------------------- API

  list(filters: Filters = new Map()): NetworkResource[] {
    return this.state.networks.filter((n) => matchesNetwork(n, filters, this.endpointsOf(n.id).length > 0)).map((n) => ({ ...networkResource(n, []), Containers: {} }));
  }

  inspect(ref: string): NetworkResource {
    const n = this.find(ref);
    return networkResource(n, this.endpointsOf(n.id));
  }

  /** Exact id, exact name, then unique id prefix (Docker's order). */
  find(ref: string): NetworkRecord {
    const all = this.state.networks;
    const byId = all.find((n) => n.id === ref);
    if (byId) return byId;
    const byName = all.filter((n) => n.name === ref);
    if (byName.length === 1) return byName[0];
    if (byName.length > 1) throw invalid(`network ${ref} is ambiguous (${byName.length} matches found based on name)`);
    const byPrefix = ref ? all.filter((n) => n.id.startsWith(ref)) : [];
    if (byPrefix.length === 1) return byPrefix[0];
    if (byPrefix.length > 1) throw invalid(`network ${ref} is ambiguous (${byPrefix.length} matches found based on ID prefix)`);
    throw notFound(`network ${ref} not found`);
  }

  async create(req: NetworkCreateRequest): Promise<{ Id: string; Warning: string }> {
    const name = req.Name ?? '';
    if (!name) throw invalid('network name cannot be empty');
    if ((PREDEFINED as readonly string[]).includes(name)) throw forbidden(`operation is not permitted on predefined ${name} network `);
    if (req.CheckDuplicate !== false && this.state.networks.some((n) => n.name === name)) throw new EngineError('conflict', `network with name ${name} already exists`);
    const driver = req.Driver || 'bridge';
    if (driver === 'host' || driver === 'null') throw forbidden(`only one instance of "${driver}" network is allowed`);
    if (driver !== 'bridge') throw notFound(`plugin "${driver}" not found`);
    if (req.IPAM?.Driver && req.IPAM.Driver !== 'default') throw notFound(`plugin "${req.IPAM.Driver}" not found`);
    const options = { ...(req.Options ?? {}) };
    const id = newId();
    const bridge = options[BRIDGE_NAME_OPT] || `br-${id.slice(0, 12)}`;
    if (bridge.length > 15 || !/^[A-Za-z0-9_.-]+$/.test(bridge)) throw invalid(`invalid bridge name ${bridge}`);
    if (this.state.networks.some((n) => n.bridge === bridge)) throw forbidden(`bridge name ${bridge} is already in use`);
    const userCfg = (req.IPAM?.Config ?? []).filter((c) => c.Subnet || c.Gateway || c.IPRange);
    const v4 = userCfg.filter((c) => !c.Subnet?.includes(':'));
    if (v4.length > 1) throw forbidden('berth supports one IPv4 subnet per network');
    const cfg = resolveIpv4(v4[0], this.deps.config.pools, await this.usedSubnets());
    const n: NetworkRecord = {
      id,
      name,
      driver: 'bridge',
      created: isoTime(),
      internal: Boolean(req.Internal),
      attachable: Boolean(req.Attachable),
      enableIPv6: Boolean(req.EnableIPv6),
      labels: { ...(req.Labels ?? {}) },
      options,
      ipam: {
        driver: 'default',
        options: req.IPAM?.Options ?? null,
        config: [ipamRecord(cfg, v4[0])],
        userConfig: v4.length > 0,
      },
      bridge,
      predefined: false,
    };
    this.state.networks.push(n);
    this.allocators.set(n.id, { cfg, alloc: new AddressAllocator(cfg) });
    this.save();
    try {
      await this.ensureBridge(n);
      if (this.hasDns(n)) await this.listenDns(n);
      await this.applyRules();
    } catch (err) {
      await this.dropNetwork(n).catch(() => {});
      throw err;
    }
    this.emit(n, 'create');
    return { Id: id, Warning: '' };
  }

  async remove(ref: string): Promise<void> {
    const n = this.find(ref);
    if (n.predefined) throw forbidden(`${n.name} is a pre-defined network and cannot be removed`);
    if (this.endpointsOf(n.id).length > 0) throw forbidden(`error while removing network: network ${n.name} id ${n.id} has active endpoints`);
    await this.dropNetwork(n);
    this.emit(n, 'destroy');
  }

  async prune(filters: Filters = new Map()): Promise<{ NetworksDeleted: string[] | null }> {
    for (const k of filters.keys()) if (!['label', 'label!', 'until'].includes(k)) throw invalid(`invalid filter '${k}'`);
    const deleted: string[] = [];
    const until = filters.get('until')?.[0];
    const cutoff = until ? untilCutoff(until) : undefined;
    for (const n of [...this.state.networks]) {
      if (n.predefined || this.endpointsOf(n.id).length > 0) continue;
      if (!pruneLabels(filters, n.labels)) continue;
      if (cutoff !== undefined && Date.parse(n.created) >= cutoff) continue;
      await this.dropNetwork(n);
      this.emit(n, 'destroy');
      deleted.push(n.name);
    }
    return { NetworksDeleted: deleted.length ? deleted : null };
  }

  // ---------------------------------------------------------------- containers

  /** Create-time checks of a container's networks (Docker's errors); returns the network names in order. */
  check(spec: Pick<SandboxSpec, 'networks'>): void {
    for (const { ref, config } of spec.networks) {
      // A missing network fails the start, not the create (Docker; a 404 here would make clients pull).
      const net = this.state.networks.find((n) => n.name === (ref === 'default' ? 'bridge' : ref) || n.id === ref);
      if (net) this.checkEndpoint(net, config);
    }
  }

  /**
   * Gives a starting container its namespace, an interface and address on each network, its
   * published ports and DNS names; returns the namespace path and the host files. All or nothing.
   */
  async attach(spec: SandboxSpec): Promise<SandboxInfo> {
    if (this.sandboxOf(spec.containerId)) await this.detach(spec.containerId);
    const nets = spec.networks.map(({ ref, config }) => ({ net: this.find(ref === 'default' ? 'bridge' : ref), config }));
    const netnsName = `berth-${spec.containerId}`;
    const sb: SandboxRecord = { containerId: spec.containerId, id: newId(), netnsName, netns: `/run/netns/${netnsName}`, endpoints: [], ports: [], dns: spec.dns ?? [] };
    this.state.sandboxes.push(sb);
    try {
      for (const { net, config } of nets) sb.endpoints.push(this.allocate(net, config, spec, sb.endpoints.length));
      this.save();
      const bindings = publishedPorts(spec);
      const firstIp = sb.endpoints[0]?.ip;
      if (bindings.length && !firstIp) throw invalid('published ports need a network with an address');
      const held = bindings.length ? await this.ports.reserve(spec.containerId, bindings, spec.name) : [];
      sb.ports = held.map((h, i) => ({ ...h, ctrPort: bindings[i].ctrPort }));
      await this.deps.host.createNetns(netnsName);
      let gatewaySet = false;
      for (const e of sb.endpoints) {
        const net = this.network(e.networkId);
        const gw: string | undefined = !net.internal && !gatewaySet ? e.gateway : undefined;
        gatewaySet ||= gw !== undefined;
        // The embedded DNS answers at 127.0.0.11 (as Docker's) through the first network's gateway.
        const dnsVia = e === sb.endpoints[0] && this.embeddedDns(net) ? { address: EMBEDDED_DNS, gateway: e.gateway } : undefined;
        await this.deps.host.addVeth(netnsName, { hostIf: e.hostIf, bridge: net.bridge, ctrIf: e.ifname, mac: e.mac, address: `${e.ip}/${e.prefixLen}`, mtu: this.mtu(net), gateway: gw, dnsVia }, e === sb.endpoints[0]);
      }
      if (sb.ports.length) await this.applyRules();
      this.save();
      for (const e of sb.endpoints) this.emit(this.network(e.networkId), 'connect', { container: spec.containerId });
    } catch (err) {
      await this.detach(spec.containerId).catch(() => {});
      throw err;
    }
    return { netnsPath: sb.netns, ...this.files(spec, sb) };
  }

  /** Undoes attach(): namespace (and with it the veths), addresses, ports, names. Idempotent. */
  async detach(containerId: string): Promise<void> {
    const sb = this.sandboxOf(containerId);
    if (!sb) return;
    this.state.sandboxes = this.state.sandboxes.filter((s) => s !== sb);
    for (const e of sb.endpoints) this.allocators.get(e.networkId)?.alloc.release(parseIp(e.ip)!);
    this.save();
    await this.ports.release(containerId);
    await this.deps.host.deleteNetns(sb.netns).catch((err: unknown) => this.log.warn('failed to delete network namespace', { id: containerId, err }));
    if (sb.ports.length) await this.applyRules();
    for (const e of sb.endpoints) {
      const net = this.state.networks.find((n) => n.id === e.networkId);
      if (net) this.emit(net, 'disconnect', { container: containerId });
    }
  }

  /** `network connect` of a running container: a new interface appears in its namespace. */
  async connect(containerId: string, spec: SandboxSpec, ref: string, config: EndpointSettings): Promise<void> {
    const sb = this.sandboxOf(containerId);
    const net = this.find(ref);
    if (!sb) return;
    if (sb.endpoints.some((e) => e.networkId === net.id)) throw forbidden(`endpoint with name ${spec.name} already exists in network ${net.name}`);
    const e = this.allocate(net, config, spec, sb.endpoints.length);
    sb.endpoints.push(e);
    this.save();
    try {
      const hasGateway = sb.endpoints.some((x) => x !== e && !this.network(x.networkId).internal);
      await this.deps.host.addVeth(sb.netnsName, { hostIf: e.hostIf, bridge: net.bridge, ctrIf: e.ifname, mac: e.mac, address: `${e.ip}/${e.prefixLen}`, mtu: this.mtu(net), gateway: !net.internal && !hasGateway ? e.gateway : undefined }, false);
    } catch (err) {
      sb.endpoints = sb.endpoints.filter((x) => x !== e);
      this.allocators.get(net.id)?.alloc.release(parseIp(e.ip)!);
      this.save();
      throw err;
    }
    this.emit(net, 'connect', { container: containerId });
  }

  /** Checks a connect request before it is recorded (running or not). */
  checkConnect(containerId: string, name: string, ref: string, config: EndpointSettings, connected: string[]): NetworkRecord {
    const net = this.find(ref);
    if (net.driver === 'host') throw forbidden('container cannot be disconnected from host network or connected to host network');
    if (net.driver === 'null') throw forbidden('container cannot be connected to multiple networks with one of the networks in private (none) mode');
    const sb = this.sandboxOf(containerId);
    const already = sb ? sb.endpoints.some((e) => e.networkId === net.id) : connected.some((c) => c === net.name || c === net.id || (c === 'default' && net.name === 'bridge'));
    if (already) throw forbidden(`endpoint with name ${name} already exists in network ${net.name}`);
    this.checkEndpoint(net, config);
    return net;
  }

  /** `network disconnect` of a running container: its interface on that network goes away. */
  async disconnect(containerId: string, ref: string): Promise<void> {
    const sb = this.sandboxOf(containerId);
    if (!sb) return;
    const net = this.find(ref);
    const e = sb.endpoints.find((x) => x.networkId === net.id);
    if (!e) return;
    sb.endpoints = sb.endpoints.filter((x) => x !== e);
    this.allocators.get(net.id)?.alloc.release(parseIp(e.ip)!);
    this.save();
    await this.deps.host.deleteLink(e.hostIf);
    this.emit(net, 'disconnect', { container: containerId });
  }

  /** The container's networks as inspect/ps show them; `requested` are its recorded endpoint configs. */
  view(containerId: string, requested: Record<string, EndpointSettings>, exposed: Record<string, object> | null | undefined): ContainerNetworkView {
    const sb = this.sandboxOf(containerId);
    const networks: Record<string, EndpointSettings> = {};
    if (sb) {
      for (const e of sb.endpoints) {
        const net = this.state.networks.find((n) => n.id === e.networkId);
        if (!net) continue;
        const req = requested[net.name] ?? (net.name === 'bridge' ? requested.default : undefined);
        networks[net.name] = endpointSettings(e, req, !net.predefined);
      }
    } else {
      for (const [name, req] of Object.entries(requested)) {
        const key = name === 'default' ? 'bridge' : name;
        const net = this.state.networks.find((n) => n.name === key || n.id === key);
        networks[net?.name ?? key] = { ...emptyEndpoint(), IPAMConfig: req.IPAMConfig ?? null, Links: req.Links ?? null, Aliases: req.Aliases ?? null, NetworkID: req.NetworkID && net ? net.id : '', DriverOpts: req.DriverOpts ?? null };
      }
    }
    const { ports, summaryPorts } = portViews(sb?.ports, exposed, Boolean(sb));
    return { networks, ports, summaryPorts, sandboxId: sb?.id ?? '', sandboxKey: sb?.netns ?? '', bridge: networks.bridge && sb ? networks.bridge : undefined };
  }

  /** Address of a running container on a network it shares with `from` (links). */
  addressOf(containerId: string): string | undefined {
    return this.sandboxOf(containerId)?.endpoints[0]?.ip;
  }

  /** DNS names follow renames. */
  rename(containerId: string, name: string): void {
    const sb = this.sandboxOf(containerId);
    if (!sb) return;
    for (const e of sb.endpoints) {
      e.dnsNames = e.dnsNames.map((d) => (d === e.name ? name : d));
      e.name = name;
    }
    this.save();
  }

  // ---------------------------------------------------------------- internals

  private allocate(net: NetworkRecord, config: EndpointSettings, spec: SandboxSpec, index: number): EndpointRecord {
    this.checkEndpoint(net, config);
    if (net.driver !== 'bridge') throw forbidden(`network ${net.name} cannot be attached here`);
    const a = this.allocators.get(net.id)!;
    const want = (config.IPAMConfig as { IPv4Address?: string } | null | undefined)?.IPv4Address;
    const ip = want ? a.alloc.take(want) : a.alloc.next();
    const user = !net.predefined;
    const aliases = config.Aliases?.length ? [...config.Aliases] : null;
    const dnsNames = user ? dedup([spec.name, ...(aliases ?? []), spec.containerId.slice(0, 12), spec.hostname].filter(Boolean)) : [];
    return {
      id: newId(),
      networkId: net.id,
      containerId: spec.containerId,
      name: spec.name,
      ifname: `eth${index}`,
      hostIf: `veth${randomBytes(4).toString('hex')}`,
      ip: formatIp(ip),
      prefixLen: a.cfg.subnet.prefix,
      gateway: formatIp(a.cfg.gateway),
      mac: config.MacAddress || macForIp(ip),
      aliases,
      dnsNames,
      ipamConfig: (config.IPAMConfig as EndpointRecord['ipamConfig']) ?? null,
      links: config.Links?.length ? [...config.Links] : null,
    };
  }

  private checkEndpoint(net: NetworkRecord, config: EndpointSettings): void {
    const ip = (config.IPAMConfig as { IPv4Address?: string } | null | undefined)?.IPv4Address;
    if (net.predefined && net.name === 'bridge') {
      if (ip) throw invalid('user specified IP address is supported on user defined networks only');
      if (config.Aliases?.length) throw invalid('network-scoped alias is supported only for containers in user defined networks');
    }
    if (ip && !net.ipam.userConfig) throw invalid('user specified IP address is supported only when connecting to networks with user configured subnets');
    if (ip && parseIp(ip) === undefined) throw invalid(`invalid IPv4 address: ${ip}`);
    const a = this.allocators.get(net.id);
    if (ip && a && !contains(a.cfg.subnet, parseIp(ip)!)) throw invalid(`Invalid address ${ip}: It does not belong to any of this network's subnets`);
    if (config.MacAddress && !/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/.test(config.MacAddress)) throw invalid(`invalid MAC address: ${config.MacAddress}`);
  }

  private files(spec: SandboxSpec, sb: SandboxRecord): { hosts: string; resolvConf: string } {
    const first = sb.endpoints[0];
    const links = (spec.links ?? []).flatMap((l) => {
      const ip = this.addressOf(l.containerId);
      if (!ip) return [];
      const names = dedup([l.alias, l.hostname, l.name]).join(' ');
      return [`${ip}\t${names}`];
    });
    const hosts = hostsFile({ hostname: spec.hostname, domainname: spec.domainname, extraHosts: spec.extraHosts, links, ip: first?.ip });
    const userNet = first && this.embeddedDns(this.network(first.networkId));
    const hostResolv = this.deps.hostResolvConf();
    const resolv = userNet
      ? resolvConf({ mode: 'embedded', hostResolv, embedded: EMBEDDED_DNS, dnsSearch: spec.dnsSearch, dnsOptions: spec.dnsOptions })
      : resolvConf({ mode: 'bridge', hostResolv, dns: spec.dns?.length ? spec.dns : this.deps.config.dns, dnsSearch: spec.dnsSearch, dnsOptions: spec.dnsOptions });
    return { hosts, resolvConf: resolv };
  }

  private async predefined(name: PredefinedName): Promise<NetworkRecord> {
    const bridge = this.deps.config.bridgeName;
    return predefinedNetwork(name, this.deps.config, () => this.usedSubnets(), () => this.deps.host.linkAddresses(bridge).catch(() => []));
  }

  private allocatorFor(n: NetworkRecord): { cfg: Ipv4Config; alloc: AddressAllocator } {
    const c = n.ipam.config[0];
    const cfg = resolveIpv4({ Subnet: c.Subnet, Gateway: c.Gateway, IPRange: c.IPRange, AuxiliaryAddresses: c.AuxiliaryAddresses }, [], []);
    return { cfg, alloc: new AddressAllocator(cfg) };
  }

  /** Subnets of our networks (ours: overlap is an error) and of the host's routes (skipped when picking). */
  private async usedSubnets(): Promise<{ cidr: Cidr; ours: boolean }[]> {
    const ours = this.state.networks.flatMap((n) => n.ipam.config.map((c) => parseCidr(c.Subnet)?.cidr)).filter((c) => c !== undefined);
    const routes = (await this.deps.host.routes().catch(() => [] as string[])).map((r) => parseCidr(r)?.cidr).filter((c) => c !== undefined);
    return [...ours.map((cidr) => ({ cidr, ours: true })), ...routes.map((cidr) => ({ cidr, ours: false }))];
  }

  private async ensureBridge(n: NetworkRecord): Promise<void> {
    const c = n.ipam.config[0];
    const prefix = c.Subnet.split('/')[1];
    await this.deps.host.ensureBridge(n.bridge, `${c.Gateway}/${prefix}`, this.mtu(n));
    if (this.deps.config.iptables) {
      try {
        this.deps.host.sysctl(`net.ipv4.conf.${n.bridge}.route_localnet`, '1');
      } catch (err) {
        this.log.warn('failed to set route_localnet', { bridge: n.bridge, err });
      }
    }
  }

  private async dropNetwork(n: NetworkRecord): Promise<void> {
    this.state.networks = this.state.networks.filter((x) => x !== n);
    this.allocators.delete(n.id);
    this.save();
    if (this.dns && this.hasDns(n)) await this.dns.unlisten(n.ipam.config[0].Gateway).catch(() => {});
    await this.applyRules();
    if (n.bridge) await this.deps.host.deleteLink(n.bridge);
  }

  /** Containers on this network use the embedded resolver (it runs and rules can reach it). */
  private embeddedDns(n: NetworkRecord): boolean {
    return Boolean(this.dns && this.dnsPort && this.deps.config.iptables && this.hasDns(n));
  }

  private hasDns(n: NetworkRecord): boolean {
    return n.driver === 'bridge' && !n.predefined && n.ipam.config.length > 0;
  }

  private async listenDns(n: NetworkRecord): Promise<void> {
    if (!this.dns) return;
    this.dnsPort = await this.dns.listen(n.ipam.config[0].Gateway, this.dnsPort);
  }

  private mtu(n: NetworkRecord): number {
    return Number(n.options[MTU_OPT]) || this.deps.config.mtu;
  }

  /** Rewrites berth's nft table from the records; concurrent requests coalesce into one apply. */
  private applyRules(): Promise<void> {
    if (!this.deps.config.iptables) return Promise.resolve();
    const ticket = ++this.rulesWanted;
    const run = this.rulesQueue.then(async () => {
      if (ticket !== this.rulesWanted) return;
      await this.deps.host.nft(this.ruleset());
    });
    this.rulesQueue = run.catch(() => {});
    return run;
  }

  private ruleset(): string {
    const bridges = this.state.networks
      .filter((n) => n.driver === 'bridge' && n.ipam.config.length)
      .map((n) => ({
        bridge: n.bridge,
        subnet: n.ipam.config[0].Subnet,
        gateway: n.ipam.config[0].Gateway,
        internal: n.internal,
        dnsPort: this.dns && this.hasDns(n) && this.dnsPort ? this.dnsPort : undefined,
      }));
    const ports = this.state.sandboxes.flatMap((sb) => sb.ports.filter((p) => p.proto !== 'sctp').map((p) => ({ proto: p.proto, hostIp: p.hostIp, hostPort: p.hostPort, ctrIp: sb.endpoints[0].ip, ctrPort: p.ctrPort })));
    return renderRuleset({ table: this.table, masquerade: this.deps.config.ipMasq, bridges, ports });
  }

  private endpointsOf(networkId: string): EndpointRecord[] {
    return this.state.sandboxes.flatMap((s) => s.endpoints.filter((e) => e.networkId === networkId));
  }

  private sandboxOf(containerId: string): SandboxRecord | undefined {
    return this.state.sandboxes.find((s) => s.containerId === containerId);
  }

  private network(id: string): NetworkRecord {
    const n = this.state.networks.find((x) => x.id === id);
    if (!n) throw notFound(`network ${id} not found`);
    return n;
  }

  private emit(n: NetworkRecord, action: string, extra: Record<string, string> = {}): void {
    try {
      this.deps.publish?.({ Type: 'network', Action: action, Actor: { ID: n.id, Attributes: { ...extra, name: n.name, type: n.driver } } });
    } catch {
      // events are best effort
    }
  }

  private save(): void {
    this.writer.save();
  }
}

function dedup(xs: string[]): string[] {
  return [...new Set(xs)];
}
