import { DEFAULT_POOLS, type AddressPoolSpec } from './ipam.js';

/** The daemon's network settings (dockerd's daemon.json keys and flags). */
export interface NetworkConfig {
  /** Default bridge's interface name (`bridge`; 'none' disables the default bridge). Default `berth0`. */
  bridgeName: string;
  /** `bip`: gateway address/prefix of the default bridge. */
  bip?: string;
  /** `fixed-cidr`: where default-bridge container addresses come from. */
  fixedCidr?: string;
  /** `default-address-pools`. */
  pools: AddressPoolSpec[];
  mtu: number;
  /** `dns`: upstream resolvers (default: the host's resolv.conf). */
  dns: string[];
  ipForward: boolean;
  /** `iptables`: false = berth writes no firewall rules (no published ports, no masquerade). */
  iptables: boolean;
  ipMasq: boolean;
}

export function defaultNetworkConfig(): NetworkConfig {
  return { bridgeName: 'berth0', pools: DEFAULT_POOLS, mtu: 1500, dns: [], ipForward: true, iptables: true, ipMasq: true };
}

/** berth's nftables table: `berth` for the standard bridge name, else `berth-<bridge>` (one per daemon). */
export function tableName(bridgeName: string): string {
  return bridgeName === 'berth0' ? 'berth' : `berth-${bridgeName}`;
}
