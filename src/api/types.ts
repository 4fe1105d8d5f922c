/**
 * Docker Engine API v1.43 wire types (the subset berth serves). Field names are Docker's
 * exactly; see ../shared/reference/docker-engine-api-v1.43.yaml. No runtime code here.
 */

export type Labels = Record<string, string>;

/** Image config as stored in the image JSON (`config` field) and in ContainerConfig. */
export interface ContainerConfig {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, object> | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Healthcheck?: HealthConfig;
  ArgsEscaped?: boolean;
  Image?: string;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Entrypoint?: string[] | null;
  NetworkDisabled?: boolean;
  MacAddress?: string;
  OnBuild?: string[] | null;
  Labels?: Labels | null;
  StopSignal?: string;
  StopTimeout?: number;
  Shell?: string[] | null;
}

/** Durations are nanoseconds; 0 = the default. `StartInterval` is API 1.44's (accepted, used during StartPeriod). */
export interface HealthConfig {
  Test?: string[] | null;
  Interval?: number;
  Timeout?: number;
  Retries?: number;
  StartPeriod?: number;
  StartInterval?: number;
}

/** One probe in `State.Health.Log`. */
export interface HealthcheckResult {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

/** `State.Health`. */
export interface Health {
  Status: 'starting' | 'healthy' | 'unhealthy';
  FailingStreak: number;
  Log: HealthcheckResult[];
}

export interface RestartPolicy {
  Name: '' | 'no' | 'always' | 'unless-stopped' | 'on-failure';
  MaximumRetryCount?: number;
}

export interface MountSpec {
  Target: string;
  Source?: string;
  Type: 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster';
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Labels; DriverConfig?: { Name?: string; Options?: Record<string, string> } };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

export interface PortBinding {
  HostIp?: string;
  HostPort?: string;
}

export interface HostConfig {
  Binds?: string[] | null;
  ContainerIDFile?: string;
  LogConfig?: { Type: string; Config?: Record<string, string> };
  NetworkMode?: string;
  PortBindings?: Record<string, PortBinding[]> | null;
  RestartPolicy?: RestartPolicy;
  AutoRemove?: boolean;
  VolumeDriver?: string;
  VolumesFrom?: string[] | null;
  Mounts?: MountSpec[];
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  CgroupnsMode?: string;
  Dns?: string[] | null;
  DnsOptions?: string[] | null;
  DnsSearch?: string[] | null;
  ExtraHosts?: string[] | null;
  GroupAdd?: string[] | null;
  IpcMode?: string;
  Cgroup?: string;
  Links?: string[] | null;
  OomScoreAdj?: number;
  PidMode?: string;
  Privileged?: boolean;
  PublishAllPorts?: boolean;
  ReadonlyRootfs?: boolean;
  SecurityOpt?: string[] | null;
  StorageOpt?: Record<string, string> | null;
  Tmpfs?: Record<string, string> | null;
  UTSMode?: string;
  UsernsMode?: string;
  ShmSize?: number;
  Sysctls?: Record<string, string> | null;
  Runtime?: string;
  Isolation?: string;
  MaskedPaths?: string[] | null;
  ReadonlyPaths?: string[] | null;
  Init?: boolean | null;
  // resources
  CpuShares?: number;
  Memory?: number;
  NanoCpus?: number;
  CgroupParent?: string;
  BlkioWeight?: number;
  CpuPeriod?: number;
  CpuQuota?: number;
  CpuRealtimePeriod?: number;
  CpuRealtimeRuntime?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  Devices?: { PathOnHost: string; PathInContainer: string; CgroupPermissions: string }[] | null;
  DeviceCgroupRules?: string[] | null;
  MemoryReservation?: number;
  MemorySwap?: number;
  MemorySwappiness?: number | null;
  OomKillDisable?: boolean | null;
  PidsLimit?: number | null;
  Ulimits?: { Name: string; Soft: number; Hard: number }[] | null;
}

export interface EndpointSettings {
  IPAMConfig?: unknown;
  Links?: string[] | null;
  Aliases?: string[] | null;
  NetworkID?: string;
  EndpointID?: string;
  Gateway?: string;
  IPAddress?: string;
  IPPrefixLen?: number;
  IPv6Gateway?: string;
  GlobalIPv6Address?: string;
  GlobalIPv6PrefixLen?: number;
  MacAddress?: string;
  DriverOpts?: Record<string, string> | null;
}

/** Body of POST /containers/{id}/update: the resources plus the restart policy (0/'' = unchanged). */
export type ContainerUpdateRequest = Pick<
  HostConfig,
  | 'BlkioWeight'
  | 'CpuShares'
  | 'CpuPeriod'
  | 'CpuQuota'
  | 'CpuRealtimePeriod'
  | 'CpuRealtimeRuntime'
  | 'CpusetCpus'
  | 'CpusetMems'
  | 'Memory'
  | 'MemoryReservation'
  | 'MemorySwap'
  | 'NanoCpus'
  | 'PidsLimit'
  | 'RestartPolicy'
> & { KernelMemory?: number };

/** Body of POST /containers/create. */
export interface ContainerCreateRequest extends ContainerConfig {
  HostConfig?: HostConfig;
  NetworkingConfig?: { EndpointsConfig?: Record<string, EndpointSettings> };
}

export interface ContainerCreateResponse {
  Id: string;
  Warnings: string[];
}

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerState {
  Status: ContainerStatus;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string; // RFC3339Nano, "0001-01-01T00:00:00Z" when never
  FinishedAt: string;
  Health?: Health;
}

export interface MountPoint {
  Type: string;
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

export interface GraphDriverData {
  Name: string;
  Data: Record<string, string>;
}

/** GET /containers/{id}/json */
export interface ContainerInspect {
  Id: string;
  Created: string;
  Path: string;
  Args: string[];
  State: ContainerState;
  Image: string;
  ResolvConfPath: string;
  HostnamePath: string;
  HostsPath: string;
  LogPath: string;
  Name: string;
  RestartCount: number;
  Driver: string;
  Platform: string;
  MountLabel: string;
  ProcessLabel: string;
  AppArmorProfile: string;
  ExecIDs: string[] | null;
  HostConfig: HostConfig;
  GraphDriver: GraphDriverData;
  SizeRw?: number;
  SizeRootFs?: number;
  Mounts: MountPoint[];
  Config: ContainerConfig;
  NetworkSettings: {
    Bridge: string;
    SandboxID: string;
    HairpinMode: boolean;
    LinkLocalIPv6Address: string;
    LinkLocalIPv6PrefixLen: number;
    Ports: Record<string, PortBinding[] | null>;
    SandboxKey: string;
    SecondaryIPAddresses: null;
    SecondaryIPv6Addresses: null;
    EndpointID: string;
    Gateway: string;
    GlobalIPv6Address: string;
    GlobalIPv6PrefixLen: number;
    IPAddress: string;
    IPPrefixLen: number;
    IPv6Gateway: string;
    MacAddress: string;
    Networks: Record<string, EndpointSettings>;
  };
}

/** GET /containers/json item */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Command: string;
  Created: number; // unix seconds
  Ports: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[];
  SizeRw?: number;
  SizeRootFs?: number;
  Labels: Labels;
  State: ContainerStatus;
  Status: string; // "Up 2 minutes", "Exited (0) 3 seconds ago"
  HostConfig: { NetworkMode: string };
  NetworkSettings: { Networks: Record<string, EndpointSettings> };
  Mounts: MountPoint[];
}

export interface ContainerWaitResponse {
  StatusCode: number;
  Error?: { Message: string } | null;
}

/** GET /images/json item */
export interface ImageSummary {
  Id: string;
  ParentId: string;
  RepoTags: string[];
  RepoDigests: string[];
  Created: number;
  Size: number;
  SharedSize: number;
  VirtualSize?: number;
  Labels: Labels;
  Containers: number;
}

/** GET /images/{name}/json */
export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created: string;
  Container: string;
  ContainerConfig: ContainerConfig;
  DockerVersion: string;
  Author: string;
  Config: ContainerConfig;
  Architecture: string;
  Variant?: string;
  Os: string;
  OsVersion?: string;
  Size: number;
  VirtualSize?: number;
  GraphDriver: GraphDriverData;
  RootFS: { Type: string; Layers: string[] };
  Metadata: { LastTagTime: string };
}

export interface ImageHistoryItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

export type ImageDeleteItem = { Untagged: string } | { Deleted: string };

/** One JSON message of a progress stream (pull/push/load/import/build). */
export interface JSONMessage {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  stream?: string;
  error?: string;
  errorDetail?: { code?: number; message: string };
  aux?: unknown;
}

/** `POST /containers/{id}/exec` body. */
export interface ExecCreateRequest {
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  DetachKeys?: string;
  Tty?: boolean;
  ConsoleSize?: [number, number] | null;
  Env?: string[] | null;
  Cmd?: string[] | string | null;
  Privileged?: boolean;
  User?: string;
  WorkingDir?: string;
}

/** `GET /exec/{id}/json`. */
export interface ExecInspect {
  CanRemove: boolean;
  ContainerID: string;
  DetachKeys: string;
  ExitCode: number | null;
  ID: string;
  OpenStderr: boolean;
  OpenStdin: boolean;
  OpenStdout: boolean;
  ProcessConfig: { arguments: string[]; entrypoint: string; privileged: boolean; tty: boolean; user?: string };
  Running: boolean;
  Pid: number;
}

/** `GET /networks` item / `GET /networks/{id}`. */
export interface NetworkResource {
  Name: string;
  Id: string;
  Created: string;
  Scope: string;
  Driver: string;
  EnableIPv6: boolean;
  IPAM: { Driver: string; Options: Record<string, string> | null; Config: Array<{ Subnet?: string; Gateway?: string; IPRange?: string; AuxiliaryAddresses?: Record<string, string> }> | null };
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Containers: Record<string, { Name: string; EndpointID: string; MacAddress: string; IPv4Address: string; IPv6Address: string }>;
  Options: Record<string, string>;
  Labels: Record<string, string>;
}

/** GET /volumes/{name} (and items of GET /volumes). */
export interface Volume {
  CreatedAt: string;
  Driver: string;
  Labels: Record<string, string>;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string>;
  Scope: string;
}
