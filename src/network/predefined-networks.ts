import { newId } from '../shared/ids.js';
import { resolveIpv4, type IpamConfigRequest, type Ipv4Config } from './ipam.js';
import { formatCidr, formatIp, parseCidr, type Cidr } from './ipv4.js';
import type { NetworkConfig } from './network-config.js';
import type { NetworkRecord } from './network-records.js';
import { isoTime } from '../shared/iso-time.js';

export const PREDEFINED = ['bridge', 'host', 'none'] as const;
export type PredefinedName = (typeof PREDEFINED)[number];
export const BRIDGE_NAME_OPT = 'com.docker.network.bridge.name';
export const MTU_OPT = 'com.docker.network.driver.mtu';

/** A network's recorded IPAM config (what inspect shows) from the resolved one. */
export function ipamRecord(cfg: Ipv4Config, req: IpamConfigRequest | undefined): NetworkRecord['ipam']['config'][number] {
  const r: NetworkRecord['ipam']['config'][number] = { Subnet: formatCidr(cfg.subnet), Gateway: formatIp(cfg.gateway) };
  if (req?.IPRange) r.IPRange = formatCidr(cfg.range);
  if (req?.AuxiliaryAddresses && Object.keys(req.AuxiliaryAddresses).length) r.AuxiliaryAddresses = { ...req.AuxiliaryAddresses };
  return r;
}

/**
 * The record of a predefined network, made once at first boot with a random ID: `host` and
 * `none` have no addresses; `bridge` takes `bip`/`fixed-cidr`, else the address its bridge
 * already has (dockerd keeps an existing docker0's address rather than adding another), else the
 * first free pool subnet.
 */
export async function predefinedNetwork(
  name: PredefinedName,
  config: NetworkConfig,
  used: () => Promise<{ cidr: Cidr; ours: boolean }[]>,
  bridgeAddresses: () => Promise<string[]> = async () => [],
): Promise<NetworkRecord> {
  const base: NetworkRecord = {
    id: newId(),
    name,
    driver: name === 'bridge' ? 'bridge' : name === 'host' ? 'host' : 'null',
    created: isoTime(),
    internal: false,
    attachable: false,
    enableIPv6: false,
    labels: {},
    options: {},
    ipam: { driver: 'default', options: null, config: [], userConfig: false },
    bridge: '',
    predefined: true,
  };
  if (name !== 'bridge') return base;
  let req: IpamConfigRequest | undefined;
  if (config.bip) {
    const p = parseCidr(config.bip);
    if (!p) throw new Error(`invalid bip ${config.bip}`);
    req = { Subnet: formatCidr(p.cidr), Gateway: formatIp(p.address), IPRange: config.fixedCidr };
  } else {
    const existing = (await bridgeAddresses()).map(parseCidr).find((p) => p !== undefined);
    if (existing) req = { Subnet: formatCidr(existing.cidr), Gateway: formatIp(existing.address), IPRange: config.fixedCidr };
  }
  const cfg = resolveIpv4(req, config.pools, await used());
  base.bridge = config.bridgeName;
  base.ipam.config = [ipamRecord(cfg, req ?? {})];
  base.options = {
    'com.docker.network.bridge.default_bridge': 'true',
    'com.docker.network.bridge.enable_icc': 'true',
    'com.docker.network.bridge.enable_ip_masquerade': 'true',
    'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
    [BRIDGE_NAME_OPT]: config.bridgeName,
    [MTU_OPT]: String(config.mtu),
  };
  return base;
}
