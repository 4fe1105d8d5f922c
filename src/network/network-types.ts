import type { EndpointSettings, PortBinding } from '../api/types.js';

/** What a container start asks of the network module (the container service builds it). */
export interface SandboxSpec {
  containerId: string;
  /** Container name without the leading slash. */
  name: string;
  hostname: string;
  domainname?: string;
  /** Networks in order (the first is NetworkMode's; `default` means the default bridge), with the user's endpoint config. */
  networks: { ref: string; config: EndpointSettings }[];
  portBindings?: Record<string, PortBinding[]> | null;
  exposedPorts?: Record<string, object> | null;
  publishAll?: boolean;
  dns?: string[] | null;
  dnsSearch?: string[] | null;
  dnsOptions?: string[] | null;
  extraHosts?: string[] | null;
  /** `--link` targets, resolved by the container service (running containers). */
  links?: { containerId: string; name: string; alias: string; hostname: string }[];
}

/** What a started sandbox gives back: where the namespace is and the files to mount. */
export interface SandboxInfo {
  netnsPath: string;
  hosts: string;
  resolvConf: string;
}

/** A container's networking as inspect and ps show it. */
export interface ContainerNetworkView {
  networks: Record<string, EndpointSettings>;
  /** `NetworkSettings.Ports` (running) — `{}` when not running. */
  ports: Record<string, PortBinding[] | null>;
  /** ps `Ports`. */
  summaryPorts: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[];
  sandboxId: string;
  sandboxKey: string;
  /** The default bridge's endpoint, for the legacy top-level fields. */
  bridge?: EndpointSettings;
}

/** Network events as the event bus takes them. */
export interface NetworkEvent {
  Type: 'network';
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
}
