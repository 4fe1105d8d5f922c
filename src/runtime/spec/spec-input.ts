import type { ContainerConfig, HostConfig } from '../../api/types.js';
import type { OciLinuxDevice, OciSpec } from './oci-types.js';

/** Facts about the host that change what a container may ask for. See probeHost(). */
export interface HostInfo {
  /** Capabilities the daemon holds in its bounding set (CAP_*). Privileged and `ALL` never exceed these. */
  capabilities?: string[];
  /** Kernel release, e.g. '6.1.0-18-amd64' (seccomp minKernel rules). */
  kernel?: string;
  /** Node-style arch ('x64', 'arm64', ...); default process.arch. */
  arch?: string;
  /** cgroup v1 memory.memsw exists: MemorySwap is honoured and defaults to 2x Memory. */
  swapAccounting?: boolean;
  /** blkio.weight exists; otherwise BlkioWeight is discarded like Docker does. */
  blkioWeight?: boolean;
  /** Host devices (for Privileged: all of them are created in the container). */
  devices?: OciLinuxDevice[];
}

/**
 * Everything buildSpec needs. The container service gathers it (user via resolveUser(),
 * host files written by the network module, netns from the network module).
 */
export interface SpecInput {
  id: string;
  /** Host path of the mounted rootfs (bundle/rootfs). */
  rootfsPath: string;
  /** Merged image + create config. */
  config: ContainerConfig;
  hostConfig: HostConfig;
  /** Resolved by resolveUser(). */
  user: { uid: number; gid: number; additionalGids: number[] };
  hostname: string;
  /** Host files bind-mounted at /etc/hostname, /etc/hosts, /etc/resolv.conf. */
  files: { hostname: string; hosts: string; resolvConf: string };
  /**
   * The container's binds and volumes, resolved by the container service (sources are host
   * paths, options `rbind|bind`, `ro`, a propagation). When given, HostConfig.Binds and the
   * bind/volume entries of HostConfig.Mounts are not parsed here (tmpfs entries still are).
   */
  mounts?: { destination: string; type: 'bind'; source: string; options: string[] }[];
  /** 'none' => new empty net ns (lo only); 'path' => join an existing one. */
  netns: { mode: 'none' | 'host' } | { mode: 'path'; path: string };
  /** --init: bind-mount this static binary at /sbin/docker-init and prepend it to args. */
  init?: { hostPath: string };
  /** e.g. 'berth/<id>' (cgroupfs v1). */
  cgroupsPath: string;
  /** Current process limits: never ask above hard (root lacks CAP_SYS_RESOURCE here). */
  hostRlimitNofile?: { soft: number; hard: number };
  /** Namespaces to join for `container:<id>` Pid/Ipc/UTS modes (e.g. /proc/<pid>/ns/pid). */
  nsPaths?: Partial<Record<'pid' | 'ipc' | 'uts', string>>;
  /** `--ipc shareable` and `container:X` (X shareable): the host tmpfs bound at /dev/shm. */
  shmSource?: string;
  /** Host facts; absent fields mean "assume a full-featured host". */
  host?: HostInfo;
  /** Reads `seccomp=/path.json` profiles and /proc/self/mountinfo (shared/slave binds); default fs.readFileSync(path, 'utf8'). */
  readFile?: (path: string) => string;
}

/** One small step of building a spec (containerd's SpecOpts idea): mutates `spec` in place. */
export type SpecMutator = (spec: OciSpec, input: SpecInput) => void;
