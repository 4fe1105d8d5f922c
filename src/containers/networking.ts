import { writeFile } from 'node:fs/promises';
import type { EndpointSettings, HostConfig } from '../api/types.js';
import { hostsFile, resolvConf, type SandboxSpec } from '../network/index.js';
import { conflict, invalid } from '../shared/errors.js';
import type { ContainerPaths, ContainerRecord } from './container-record.js';
import { networkKind } from './merge-config.js';
import type { ServiceContext } from './service-context.js';
import { compareStrings } from '../shared/compare.js';

/** The networks a container joins at start, its mode's first (keys of `networking` are network names). */
export function networkList(rec: Pick<ContainerRecord, 'hostConfig' | 'networking'> & { config?: { MacAddress?: string } }): { ref: string; config: EndpointSettings }[] {
  const net = networkKind(rec.hostConfig.NetworkMode);
  if (net.kind !== 'network') return [];
  const first = net.name;
  let cfg = rec.networking[first] ?? (first === 'bridge' ? rec.networking.default : undefined) ?? {};
  // API < 1.44 clients (docker run --mac-address) put the address on the container config.
  const mac = rec.config?.MacAddress;
  if (mac && !cfg.MacAddress) cfg = { ...cfg, MacAddress: mac };
  const rest = Object.entries(rec.networking).filter(([k]) => k !== first && !(first === 'bridge' && k === 'default'));
  return [{ ref: first, config: cfg }, ...rest.map(([ref, config]) => ({ ref, config }))];
}

/** `--link name:alias` (CLI form) or `/name:/self/alias` (API/inspect form) → target name and alias. */
export function parseLink(link: string): { name: string; alias: string } {
  const [target, alias] = link.split(':');
  const name = target.replace(/^\//, '');
  const a = (alias ?? target).split('/').pop() ?? name;
  if (!name) throw invalid(`invalid link: ${link}`);
  return { name, alias: a };
}

/** What the network module needs to start the container's sandbox. */
export function sandboxSpec(ctx: ServiceContext, rec: ContainerRecord): SandboxSpec {
  const h = rec.hostConfig;
  const links = (h.Links ?? []).map((l) => {
    const { name, alias } = parseLink(l);
    const target = ctx.get(name);
    if (target.state.status !== 'running') throw conflict(`Cannot link to a non running container: ${target.name} AS ${rec.name}/${alias}`);
    return { containerId: target.id, name: target.name.slice(1), alias, hostname: target.config.Hostname ?? target.id.slice(0, 12) };
  });
  return {
    containerId: rec.id,
    name: rec.name.slice(1),
    hostname: rec.config.Hostname ?? rec.id.slice(0, 12),
    domainname: rec.config.Domainname || undefined,
    networks: networkList(rec),
    portBindings: h.PortBindings,
    exposedPorts: rec.config.ExposedPorts as Record<string, object> | undefined,
    publishAll: Boolean(h.PublishAllPorts),
    dns: h.Dns,
    dnsSearch: h.DnsSearch,
    dnsOptions: h.DnsOptions,
    extraHosts: h.ExtraHosts,
    links,
  };
}

/** Writes hostname, hosts and resolv.conf into the container dir for host/none/container modes (and placeholders for networks, rewritten at start). */
export async function writeHostFiles(
  p: ContainerPaths,
  hostname: string,
  mode: 'host' | 'none',
  h: HostConfig,
  host: { resolvConf: string; hosts?: string },
  domainname?: string,
): Promise<void> {
  await writeFile(p.hostname, `${hostname}\n`);
  await writeFile(p.hosts, hostsFile({ hostname, domainname, extraHosts: h.ExtraHosts, hostHosts: mode === 'host' ? host.hosts : undefined }));
  await writeFile(p.resolvConf, resolvConf({ mode, hostResolv: host.resolvConf, dns: h.Dns, dnsSearch: h.DnsSearch, dnsOptions: h.DnsOptions }));
}

/** Docker's legacy link variables (`<ALIAS>_NAME`, `<ALIAS>_PORT_*`, `<ALIAS>_ENV_*`) for each --link target. */
export function linkEnv(ctx: ServiceContext, rec: ContainerRecord): string[] {
  const out: string[] = [];
  for (const l of rec.hostConfig.Links ?? []) {
    const { name, alias } = parseLink(l);
    const target = ctx.get(name);
    const ip = ctx.deps.network?.addressOf(target.id);
    const prefix = alias.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
    out.push(`${prefix}_NAME=${rec.name}/${alias}`);
    const ports = Object.keys(target.config.ExposedPorts ?? {})
      .map((k) => {
        const [p, proto = 'tcp'] = k.split('/');
        return { port: Number(p), proto };
      })
      .sort((a, b) => a.port - b.port || compareStrings(a.proto, b.proto));
    if (ip && ports.length) {
      out.push(`${prefix}_PORT=${ports[0].proto}://${ip}:${ports[0].port}`);
      for (const { port, proto } of ports) {
        const p = `${prefix}_PORT_${port}_${proto.toUpperCase()}`;
        out.push(`${p}=${proto}://${ip}:${port}`, `${p}_ADDR=${ip}`, `${p}_PORT=${port}`, `${p}_PROTO=${proto}`);
      }
    }
    for (const e of target.config.Env ?? []) {
      const k = e.slice(0, e.indexOf('=') < 0 ? e.length : e.indexOf('='));
      if (['HOME', 'HOSTNAME', 'PATH'].includes(k)) continue;
      out.push(`${prefix}_ENV_${e}`);
    }
  }
  return out;
}
