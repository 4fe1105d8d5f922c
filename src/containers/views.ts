import type { ContainerInspect, ContainerSummary, EndpointSettings, MountPoint } from '../api/types.js';
import { emptyEndpoint, type ContainerNetworkView } from '../network/index.js';
import type { ContainerRecord } from './container-record.js';
import { commandString, statusText, trimStamp } from './status-text.js';


/** Networks without the network module (host, none, unit tests): the mode's name, no addresses. */
function networks(rec: ContainerRecord, net: ContainerNetworkView | undefined): Record<string, EndpointSettings> {
  const mode = rec.hostConfig.NetworkMode ?? 'default';
  if (mode.startsWith('container:')) return {};
  if (net) return net.networks;
  const name = mode === 'default' ? 'bridge' : mode;
  return { [name]: { ...emptyEndpoint(), ...(rec.networking[name] ?? {}) } };
}

/** GET /containers/json item. */
export function toSummary(rec: ContainerRecord, now: number, mounts: MountPoint[] = [], net?: ContainerNetworkView): ContainerSummary {
  return {
    Id: rec.id,
    Names: [rec.name],
    Image: rec.image.name,
    ImageID: rec.image.id,
    Command: commandString(rec.path, rec.args),
    Created: Math.floor(Date.parse(rec.created) / 1000),
    Ports: net?.summaryPorts ?? [],
    Labels: rec.config.Labels ?? {},
    State: rec.state.status,
    Status: statusText(rec.state, now),
    HostConfig: { NetworkMode: rec.hostConfig.NetworkMode ?? 'default' },
    NetworkSettings: { Networks: networks(rec, net) },
    Mounts: mounts,
  };
}

/** GET /containers/{id}/json (GraphDriver data is supplied by the snapshotter). */
export function toInspect(rec: ContainerRecord, graphData: Record<string, string>, mounts: MountPoint[] = [], net?: ContainerNetworkView): ContainerInspect {
  const b = net?.bridge;
  const s = rec.state;
  return {
    Id: rec.id,
    Created: trimStamp(rec.created),
    Path: rec.path,
    Args: rec.args,
    State: {
      Status: s.status,
      // dockerd: a container waiting for its restart policy is still Running (with Restarting).
      Running: s.status === 'running' || s.status === 'paused' || s.status === 'restarting',
      Paused: s.status === 'paused',
      Restarting: s.status === 'restarting',
      OOMKilled: s.oomKilled,
      Dead: s.status === 'dead',
      Pid: s.pid,
      ExitCode: s.exitCode,
      Error: s.error,
      StartedAt: trimStamp(s.startedAt),
      FinishedAt: trimStamp(s.finishedAt),
      ...(s.health ? { Health: s.health } : {}),
    },
    Image: rec.image.id,
    ResolvConfPath: rec.resolvConfPath,
    HostnamePath: rec.hostnamePath,
    HostsPath: rec.hostsPath,
    LogPath: rec.logPath,
    Name: rec.name,
    RestartCount: s.restartCount,
    Driver: 'overlay2',
    Platform: rec.platform,
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: rec.hostConfig,
    GraphDriver: { Name: 'overlay2', Data: graphData },
    Mounts: mounts,
    Config: rec.config,
    NetworkSettings: {
      Bridge: '',
      SandboxID: net?.sandboxId ?? '',
      HairpinMode: false,
      LinkLocalIPv6Address: '',
      LinkLocalIPv6PrefixLen: 0,
      Ports: net?.ports ?? {},
      SandboxKey: net?.sandboxKey ?? '',
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      EndpointID: b?.EndpointID ?? '',
      Gateway: b?.Gateway ?? '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      IPAddress: b?.IPAddress ?? '',
      IPPrefixLen: b?.IPPrefixLen ?? 0,
      IPv6Gateway: '',
      MacAddress: b?.MacAddress ?? '',
      Networks: networks(rec, net),
    },
  };
}
