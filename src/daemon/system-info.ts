import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { arch, availableParallelism, hostname, machine, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ContainerBackend, ImageBackend, SystemBackend } from '../server/backends.js';
import type { DaemonConfig } from './config.js';
import { isoTime } from '../shared/iso-time.js';

export const ENGINE_VERSION = '24.0.0-berth';
const GIT_COMMIT = 'berth';
const CGROUP2_MAGIC = 0x63677270;

const goArch = (): string => ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' })[arch()] ?? arch();

function osPrettyName(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return m ? m[1] : 'Linux';
  } catch {
    return 'Linux';
  }
}

function osVersion(): string {
  try {
    return /^VERSION_ID="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? '';
  } catch {
    return '';
  }
}

function cgroupVersion(): '1' | '2' {
  try {
    return statfsSync('/sys/fs/cgroup').type === CGROUP2_MAGIC ? '2' : '1';
  } catch {
    return '1';
  }
}

/** A stable engine ID kept in `<data-root>/engine-id` (dockerd keeps one too). */
function engineId(dataRoot: string): string {
  const p = join(dataRoot, 'engine-id');
  try {
    return readFileSync(p, 'utf8').trim();
  } catch {
    const id = randomUUID();
    try {
      writeFileSync(p, id);
    } catch {
      // read-only data root: a fresh id per boot
    }
    return id;
  }
}

function runtimeVersion(path: string): Promise<{ version: string; commit: string }> {
  return new Promise((resolve) => {
    execFile(path, ['--version'], { timeout: 5000 }, (err, stdout) => {
      if (err) return resolve({ version: '', commit: '' });
      const version = /version\s+(\S+)/.exec(stdout)?.[1] ?? '';
      const commit = /commit:\s*(\S+)/.exec(stdout)?.[1] ?? '';
      resolve({ version, commit });
    });
  });
}

export interface SystemInfoDeps {
  config: DaemonConfig;
  containers: Pick<ContainerBackend, 'list'>;
  images: Pick<ImageBackend, 'list'>;
  /** Boot-time warnings shown by `docker info`. */
  warnings: string[];
}

/** `/version` and `/info` in Docker's shapes, from host facts and the services. */
export function createSystemBackend(deps: SystemInfoDeps): SystemBackend {
  const { config } = deps;
  let runtimeVer: Promise<{ version: string; commit: string }> | undefined;
  let conmonVer: Promise<{ version: string; commit: string }> | undefined;
  const rt = (): Promise<{ version: string; commit: string }> => (runtimeVer ??= runtimeVersion(config.runtimes[config.defaultRuntime].path));
  const conmon = (): Promise<{ version: string; commit: string }> => (conmonVer ??= runtimeVersion('conmon'));
  let id: string | undefined;
  const buildTime = (): string => {
    try {
      return isoTime(statSync(fileURLToPath(import.meta.url)).mtimeMs);
    } catch {
      return '';
    }
  };

  return {
    async version() {
      const [r, c] = await Promise.all([rt(), conmon()]);
      const details = {
        ApiVersion: '1.43',
        Arch: goArch(),
        BuildTime: buildTime(),
        Experimental: 'false',
        GitCommit: GIT_COMMIT,
        GoVersion: `node ${process.version}`,
        KernelVersion: release(),
        MinAPIVersion: '1.24',
        Os: 'linux',
      };
      return {
        Platform: { Name: 'berth' },
        Components: [
          { Name: 'Engine', Version: ENGINE_VERSION, Details: details },
          { Name: config.defaultRuntime, Version: r.version, Details: { GitCommit: r.commit } },
          { Name: 'conmon', Version: c.version, Details: { GitCommit: c.commit } },
        ],
        Version: ENGINE_VERSION,
        ApiVersion: '1.43',
        MinAPIVersion: '1.24',
        GitCommit: GIT_COMMIT,
        GoVersion: details.GoVersion,
        Os: 'linux',
        Arch: details.Arch,
        KernelVersion: details.KernelVersion,
        BuildTime: details.BuildTime,
      };
    },

    async info() {
      const [containers, images, r] = await Promise.all([deps.containers.list({ all: true }), deps.images.list({}), rt()]);
      const count = (s: string): number => containers.filter((c) => c.State === s).length;
      const running = count('running');
      const paused = count('paused');
      id ??= engineId(config.dataRoot);
      const runtimes = Object.fromEntries(Object.entries(config.runtimes).map(([n, v]) => [n, { path: v.path }]));
      return {
        ID: id,
        Containers: containers.length,
        ContainersRunning: running,
        ContainersPaused: paused,
        ContainersStopped: containers.length - running - paused,
        Images: images.length,
        Driver: 'overlay2',
        DriverStatus: [
          ['Backing Filesystem', 'extfs'],
          ['Supports d_type', 'true'],
          ['Using metacopy', 'false'],
          ['Native Overlay Diff', 'true'],
          ['userxattr', 'false'],
        ],
        Plugins: { Volume: ['local'], Network: ['host', 'null'], Authorization: null, Log: ['k8s-file'] },
        MemoryLimit: true,
        SwapLimit: existsSync('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes'),
        CpuCfsPeriod: true,
        CpuCfsQuota: true,
        CPUShares: true,
        CPUSet: true,
        PidsLimit: true,
        IPv4Forwarding: true,
        BridgeNfIptables: false,
        BridgeNfIp6tables: false,
        Debug: config.debug,
        NFd: 0,
        OomKillDisable: true,
        NGoroutines: 0,
        SystemTime: isoTime(),
        LoggingDriver: 'k8s-file',
        CgroupDriver: 'cgroupfs',
        CgroupVersion: cgroupVersion(),
        NEventsListener: 0,
        KernelVersion: release(),
        OperatingSystem: osPrettyName(),
        OSVersion: osVersion(),
        OSType: 'linux',
        Architecture: machine(),
        IndexServerAddress: 'https://index.docker.io/v1/',
        RegistryConfig: {
          AllowNondistributableArtifactsCIDRs: null,
          AllowNondistributableArtifactsHostnames: null,
          InsecureRegistryCIDRs: ['127.0.0.0/8'],
          IndexConfigs: {
            'docker.io': { Name: 'docker.io', Mirrors: [], Secure: true, Official: true },
            ...Object.fromEntries(config.insecureRegistries.map((r) => [r, { Name: r, Mirrors: [], Secure: false, Official: false }])),
          },
          Mirrors: null,
        },
        NCPU: availableParallelism(),
        MemTotal: totalmem(),
        GenericResources: null,
        DockerRootDir: config.dataRoot,
        HttpProxy: process.env.HTTP_PROXY ?? '',
        HttpsProxy: process.env.HTTPS_PROXY ?? '',
        NoProxy: process.env.NO_PROXY ?? '',
        Name: hostname(),
        Labels: [],
        ExperimentalBuild: false,
        ServerVersion: ENGINE_VERSION,
        Runtimes: runtimes,
        DefaultRuntime: config.defaultRuntime,
        Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
        LiveRestoreEnabled: true,
        Isolation: '',
        InitBinary: 'catatonit',
        ContainerdCommit: { ID: '', Expected: '' },
        RuncCommit: { ID: r.commit, Expected: r.commit },
        InitCommit: { ID: '', Expected: '' },
        SecurityOptions: ['name=seccomp,profile=builtin'],
        Warnings: deps.warnings,
      };
    },
  };
}
