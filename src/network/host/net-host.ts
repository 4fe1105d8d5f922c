/**
 * Every host side effect of the network module goes through this port (STYLE habit 10):
 * links, addresses, routes, namespaces, firewall tables and sysctls. The real one drives
 * iproute2 and nftables (ip-net-host.ts); unit tests use the recording fake.
 */

/** One end of a container's veth pair and how the inside is configured. */
export interface VethSpec {
  /** Host-side name (`veth` + 8 hex), enslaved to `bridge`. */
  hostIf: string;
  bridge: string;
  /** Name inside the namespace (`eth0`, `eth1`, ...). */
  ctrIf: string;
  mac: string;
  /** `a.b.c.d/prefix` */
  address: string;
  mtu: number;
  /** Default route through this interface (the first non-internal network). */
  gateway?: string;
  /**
   * The embedded DNS's address as containers see it (`127.0.0.11`, Docker's): routed through
   * this interface's gateway (which DNATs it to the resolver), with route_localnet on inside.
   */
  dnsVia?: { address: string; gateway: string };
}

/** A link as `ip -j link` reports it. */
export interface HostLink {
  name: string;
  kind: string;
  master?: string;
}

export interface NetHost {
  /**
   * Creates the bridge with `address` (gateway/prefix) and brings it up; makes an existing one
   * match, dropping any other IPv4 address it has (libnetwork's bridge set-up does the same).
   */
  ensureBridge(name: string, address: string, mtu: number): Promise<void>;
  deleteLink(name: string): Promise<void>;
  /** `/run/netns/<name>`; returns the path. */
  createNetns(name: string): Promise<string>;
  /** Unmounts and removes a namespace file (the veths inside go with the namespace). */
  deleteNetns(path: string): Promise<void>;
  netnsExists(path: string): boolean;
  /** Creates the pair with its inside end in `netns`, configured and up. `firstInNetns` also brings `lo` up. */
  addVeth(netnsName: string, v: VethSpec, firstInNetns: boolean): Promise<void>;
  links(): Promise<HostLink[]>;
  /** IPv4 routes' destinations (CIDR strings) in the main table, for picking free subnets. */
  routes(): Promise<string[]>;
  /** Local IPv4 addresses of the host. */
  localAddresses(): Promise<string[]>;
  /** IPv4 addresses (`a.b.c.d/prefix`) on one link, in the kernel's order; [] when it does not exist. */
  linkAddresses(name: string): Promise<string[]>;
  /** Applies an nft script atomically (`nft -f -`). */
  nft(script: string): Promise<void>;
  /** Whether an nft table exists. */
  hasTable(family: string, name: string): Promise<boolean>;
  sysctl(key: string, value: string): void;
}
