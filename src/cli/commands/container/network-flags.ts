import type { EndpointConfig } from '../../../api-client/networks.js';
import { readCSVRecord } from '../../opts/csv.js';
import { isMAC } from '../../opts/ip.js';
import { flagError } from '../../opts/validators.js';

/** One `--network` value: a name, or docker 25+'s `name=x,alias=y,ip=z,...` form. */
export interface NetworkAttachment {
  target: string;
  aliases: string[];
  driverOpts?: Record<string, string>;
  links: string[];
  ipv4Address: string;
  ipv6Address: string;
  linkLocalIPs: string[];
  macAddress: string;
  gwPriority: number;
}

/** The container-wide flags that apply to the first network. */
export interface EndpointFlags {
  networkAlias?: string[];
  link?: string[];
  ip?: string;
  ip6?: string;
  macAddress?: string;
  linkLocalIp?: string[];
}

const attachment = (target: string): NetworkAttachment => ({ target, aliases: [], links: [], ipv4Address: '', ipv6Address: '', linkLocalIPs: [], macAddress: '', gwPriority: 0 });

/**
 * commander parser for `--network`/`--net` (docker's `NetworkOpt.Set`): repeated values
 * collect; a value matching `\w+=\w+` anywhere is the long form, read as one CSV record with
 * each field lower-cased.
 */
export function networkFlag(value: string, previous: NetworkAttachment[] | undefined): NetworkAttachment[] {
  try {
    return [...(previous ?? []), parseNetworkOpt(value)];
  } catch (e) {
    throw flagError('--network', value, (e as Error).message);
  }
}

/** Parses one `--network` value. */
export function parseNetworkOpt(value: string): NetworkAttachment {
  if (!/\w+=\w+(,\w+=\w+)*/.test(value)) return attachment(value);
  const n = attachment('');
  for (const field of readCSVRecord(value)) {
    const lower = field.toLowerCase();
    const i = lower.indexOf('=');
    if (i <= 0) throw new Error(`invalid field ${field}`);
    const key = lower.slice(0, i).trim();
    const val = lower.slice(i + 1).trim();
    switch (key) {
      case 'name':
        n.target = val;
        break;
      case 'alias':
        n.aliases.push(val);
        break;
      case 'ip':
        n.ipv4Address = val;
        break;
      case 'ip6':
        n.ipv6Address = val;
        break;
      case 'mac-address':
        n.macAddress = val;
        break;
      case 'link-local-ip':
        n.linkLocalIPs.push(val);
        break;
      case 'driver-opt': {
        const j = val.indexOf('=');
        if (j <= 0) throw new Error('invalid key value pair format in driver options');
        n.driverOpts = { ...n.driverOpts, [val.slice(0, j).trim()]: val.slice(j + 1).trim() };
        break;
      }
      case 'gw-priority':
        if (!/^[+-]?\d+$/.test(val)) throw new Error(`invalid gw-priority (${val}): invalid syntax`);
        n.gwPriority = Number(val);
        break;
      default:
        throw new Error(`invalid field key ${key}`);
    }
  }
  if (n.target === '') throw new Error('network name/id is not specified');
  return n;
}

/** Docker's `NetworkMode.IsUserDefined()` on Linux. */
export function isUserDefined(mode: string): boolean {
  return !['default', 'bridge', 'host', 'none'].includes(mode) && !mode.startsWith('container:');
}

/**
 * The create request's `NetworkingConfig.EndpointsConfig` (docker's `parseNetworkOpts`):
 * the first network gets the container-wide `--network-alias`, `--link`, `--ip`, `--ip6`,
 * `--mac-address` and `--link-local-ip`; a single network without settings sends no
 * endpoint; no `--network` at all sends an endpoint for `default`.
 */
export function endpointsConfig(networks: NetworkAttachment[], f: EndpointFlags): Record<string, EndpointConfig> {
  const endpoints: Record<string, EndpointConfig> = {};
  let userDefined = false;
  let builtin = false;
  if (networks.length === 0) endpoints.default = endpointFor(withContainerFlags(attachment('default'), f));
  networks.forEach((n0, i) => {
    if (isUserDefined(n0.target)) userDefined = true;
    else builtin = true;
    const n = i === 0 ? withContainerFlags({ ...n0 }, f) : n0;
    const ep = endpointFor(n);
    if (n.target in endpoints) throw new Error(`network ${JSON.stringify(n.target)} is specified multiple times`);
    if (i === 0 && networks.length === 1 && Object.keys(ep).length === 0) return;
    endpoints[n.target] = ep;
  });
  if (userDefined && builtin) throw new Error('conflicting options: cannot attach both user-defined and non-user-defined network-modes');
  return endpoints;
}

function withContainerFlags(n: NetworkAttachment, f: EndpointFlags): NetworkAttachment {
  const conflict = (what: string): Error => new Error(`conflicting options: cannot specify both ${what}`);
  if (n.aliases.length && f.networkAlias?.length) throw conflict('--network-alias and per-network alias');
  if (n.links.length && f.link?.length) throw conflict('--link and per-network links');
  if (n.ipv4Address && f.ip) throw conflict('--ip and per-network IPv4 address');
  if (n.ipv6Address && f.ip6) throw conflict('--ip6 and per-network IPv6 address');
  if (n.macAddress && f.macAddress) throw conflict('--mac-address and per-network MAC address');
  if (n.linkLocalIPs.length && f.linkLocalIp?.length) throw conflict('--link-local-ip and per-network link-local IP addresses');
  const out = { ...n };
  if (f.networkAlias?.length) out.aliases = [...f.networkAlias];
  if (isUserDefined(n.target) && f.link?.length) out.links = [...f.link];
  if (f.ip) out.ipv4Address = f.ip;
  if (f.ip6) out.ipv6Address = f.ip6;
  if (f.macAddress) out.macAddress = f.macAddress;
  if (f.linkLocalIp?.length) out.linkLocalIPs = [...f.linkLocalIp];
  return out;
}

/** Docker's `parseNetworkAttachmentOpt`; only the settings given are set. */
function endpointFor(n: NetworkAttachment): EndpointConfig {
  if (n.target.trim() === '') throw new Error('no name set for network');
  if (!isUserDefined(n.target)) {
    if (n.aliases.length) throw new Error('network-scoped aliases are only supported for user-defined networks');
    if (n.links.length) throw new Error('links are only supported for user-defined networks');
  }
  const ep: EndpointConfig = {};
  if (n.gwPriority) ep.GwPriority = n.gwPriority;
  if (n.aliases.length) ep.Aliases = [...n.aliases];
  if (n.driverOpts && Object.keys(n.driverOpts).length) ep.DriverOpts = n.driverOpts;
  if (n.links.length) ep.Links = n.links;
  if (n.ipv4Address || n.ipv6Address || n.linkLocalIPs.length) {
    ep.IPAMConfig = {};
    if (n.ipv4Address) ep.IPAMConfig.IPv4Address = n.ipv4Address;
    if (n.ipv6Address) ep.IPAMConfig.IPv6Address = n.ipv6Address;
    if (n.linkLocalIPs.length) ep.IPAMConfig.LinkLocalIPs = n.linkLocalIPs;
  }
  if (n.macAddress) {
    if (!isMAC(n.macAddress.trim())) throw new Error(`${n.macAddress} is not a valid mac address`);
    ep.MacAddress = n.macAddress;
  }
  return ep;
}
