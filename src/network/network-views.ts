import type { EndpointSettings, NetworkResource } from '../api/types.js';
import { invalid } from '../shared/errors.js';
import { checkFilterNames, matchLabels, type Filters } from '../shared/filters.js';
import type { EndpointRecord, NetworkRecord } from './network-records.js';

/** `GET /networks/{id}` body; `endpoints` are the running containers on it. */
export function networkResource(n: NetworkRecord, endpoints: EndpointRecord[]): NetworkResource {
  const containers: NetworkResource['Containers'] = {};
  for (const e of endpoints) {
    containers[e.containerId] = { Name: e.name, EndpointID: e.id, MacAddress: e.mac, IPv4Address: `${e.ip}/${e.prefixLen}`, IPv6Address: '' };
  }
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Scope: 'local',
    Driver: n.driver,
    EnableIPv6: n.enableIPv6,
    IPAM: { Driver: n.ipam.driver, Options: n.ipam.options, Config: n.ipam.config.map((c) => ({ ...c })) },
    Internal: n.internal,
    Attachable: n.attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: { ...n.options },
    Labels: { ...n.labels },
  };
}

/** Docker's network list filters. */
export function matchesNetwork(n: NetworkRecord, f: Filters, inUse: boolean): boolean {
  checkFilterNames(f, ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type']);
  const any = (key: string, test: (v: string) => boolean): boolean => {
    const vals = f.get(key);
    return !vals || vals.length === 0 || vals.some(test);
  };
  if (!any('name', (v) => n.name.includes(v))) return false;
  if (!any('id', (v) => n.id.startsWith(v))) return false;
  if (!any('driver', (v) => n.driver === v)) return false;
  if (!any('scope', (v) => v === 'local')) return false;
  if (!any('type', (v) => (v === 'builtin') === n.predefined)) return false;
  if (!any('dangling', (v) => (v === 'true' || v === '1') === (!inUse && !n.predefined))) return false;
  return matchLabels(f.get('label'), n.labels);
}

export const emptyEndpoint = (): EndpointSettings => ({
  IPAMConfig: null,
  Links: null,
  Aliases: null,
  NetworkID: '',
  EndpointID: '',
  Gateway: '',
  IPAddress: '',
  IPPrefixLen: 0,
  IPv6Gateway: '',
  GlobalIPv6Address: '',
  GlobalIPv6PrefixLen: 0,
  MacAddress: '',
  DriverOpts: null,
});

/** A running endpoint as `NetworkSettings.Networks.<name>`. */
export function endpointSettings(e: EndpointRecord, requested: EndpointSettings | undefined, userNetwork: boolean): EndpointSettings {
  const shortId = e.containerId.slice(0, 12);
  const aliases = userNetwork ? [...(e.aliases ?? [])].concat((e.aliases ?? []).includes(shortId) ? [] : [shortId]) : null;
  return {
    ...emptyEndpoint(),
    IPAMConfig: requested?.IPAMConfig ?? e.ipamConfig ?? null,
    Links: e.links,
    Aliases: aliases,
    NetworkID: e.networkId,
    EndpointID: e.id,
    Gateway: e.gateway,
    IPAddress: e.ip,
    IPPrefixLen: e.prefixLen,
    MacAddress: e.mac,
    DriverOpts: requested?.DriverOpts ?? null,
  };
}

/** `network prune` label filters (`label`, `label!`). */
export function pruneLabels(f: Filters, labels: Record<string, string>): boolean {
  const has = (w: string): boolean => {
    const i = w.indexOf('=');
    return i < 0 ? Object.prototype.hasOwnProperty.call(labels, w) : labels[w.slice(0, i)] === w.slice(i + 1);
  };
  return (f.get('label') ?? []).every(has) && !(f.get('label!') ?? []).some(has);
}

/** `until` as a timestamp or a Go duration ago (e.g. `24h`). */
export function untilCutoff(v: string): number {
  const d = /^(\d+(?:\.\d+)?)(h|m|s)$/.exec(v);
  if (d) return Date.now() - Number(d[1]) * { h: 3600e3, m: 60e3, s: 1e3 }[d[2] as 'h' | 'm' | 's'];
  const n = Number(v);
  if (!Number.isNaN(n)) return n * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalid(`invalid filter 'until=${v}'`);
  return t;
}
