export { NetworkService, type NetworkCreateRequest, type NetworkServiceDeps } from './network-service.js';
export { defaultNetworkConfig, tableName, type NetworkConfig } from './network-config.js';
export type { SandboxSpec, SandboxInfo, ContainerNetworkView, NetworkEvent } from './network-types.js';
export { hostsFile, resolvConf } from './host-files.js';
export { IpNetHost } from './host/ip-net-host.js';
export { NetlinkNetHost, openNetHost } from './host/netlink-net-host.js';
export type { NetHost } from './host/net-host.js';
export type { AddressPoolSpec } from './ipam.js';
export { emptyEndpoint } from './network-views.js';
