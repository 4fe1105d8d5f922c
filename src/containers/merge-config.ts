import type { ContainerConfig, ContainerCreateRequest, HostConfig } from '../api/types.js';
import { invalid } from '../shared/errors.js';
import { mergeHealthcheck } from './health/health-config.js';

const envKey = (e: string): string => {
  const i = e.indexOf('=');
  return i < 0 ? e : e.slice(0, i);
};

/**
 * Docker's create-time merge of the request with the image config:
 * a non-empty request Entrypoint clears the image Cmd; `Entrypoint: []` (or `[""]`) clears
 * the image entrypoint but keeps its Cmd; Env is image env overridden by request keys;
 * Labels, ExposedPorts and Volumes are unions; User/WorkingDir/StopSignal default to the image's.
 */
export function mergeConfig(req: ContainerCreateRequest, image: ContainerConfig, imageRef: string): ContainerConfig {
  const { HostConfig: _h, NetworkingConfig: _n, ...user } = req;
  const out: ContainerConfig = { ...user };
  let entrypoint = user.Entrypoint;
  if (entrypoint && entrypoint.length === 1 && entrypoint[0] === '') entrypoint = [];
  const userCmd = user.Cmd && user.Cmd.length > 0 ? user.Cmd : null;
  if (entrypoint === undefined || entrypoint === null) {
    out.Entrypoint = image.Entrypoint ?? null;
    out.Cmd = userCmd ?? image.Cmd ?? null;
  } else if (entrypoint.length === 0) {
    out.Entrypoint = null;
    out.Cmd = userCmd ?? image.Cmd ?? null;
  } else {
    out.Entrypoint = entrypoint;
    out.Cmd = userCmd;
  }
  const userEnv = user.Env ?? [];
  const userKeys = new Set(userEnv.map(envKey));
  out.Env = [...(image.Env ?? []).filter((e) => !userKeys.has(envKey(e))), ...userEnv];
  out.Labels = { ...(image.Labels ?? {}), ...(user.Labels ?? {}) };
  if (image.ExposedPorts || user.ExposedPorts) out.ExposedPorts = { ...(image.ExposedPorts ?? {}), ...(user.ExposedPorts ?? {}) };
  if (image.Volumes || user.Volumes) out.Volumes = { ...(image.Volumes ?? {}), ...(user.Volumes ?? {}) };
  out.User = user.User || image.User || '';
  out.WorkingDir = user.WorkingDir || image.WorkingDir || '';
  if (!user.StopSignal && image.StopSignal) out.StopSignal = image.StopSignal;
  const health = mergeHealthcheck(user.Healthcheck, image.Healthcheck);
  if (health) out.Healthcheck = health;
  if (image.OnBuild) out.OnBuild = image.OnBuild;
  if (image.Shell && !user.Shell) out.Shell = image.Shell;
  out.Image = user.Image || imageRef;
  out.Tty = Boolean(user.Tty);
  out.OpenStdin = Boolean(user.OpenStdin);
  out.StdinOnce = Boolean(user.StdinOnce);
  out.AttachStdin = Boolean(user.AttachStdin);
  out.AttachStdout = Boolean(user.AttachStdout);
  out.AttachStderr = Boolean(user.AttachStderr);
  out.Domainname = user.Domainname ?? '';
  if (!out.Entrypoint?.length && !out.Cmd?.length) throw invalid('No command specified');
  return out;
}

/** Path and Args as Docker records them: entrypoint + cmd split at the first word. */
export function pathAndArgs(c: ContainerConfig): { path: string; args: string[] } {
  const all = [...(c.Entrypoint ?? []), ...(c.Cmd ?? [])];
  return { path: all[0] ?? '', args: all.slice(1) };
}

const RESTART = ['', 'no', 'always', 'unless-stopped', 'on-failure'];

/** Validation of HostConfig fields the containers service interprets; fills Docker's defaults. */
export function normalizeHostConfig(h: HostConfig | undefined): HostConfig {
  const out: HostConfig = { ...(h ?? {}) };
  out.NetworkMode = !out.NetworkMode ? 'default' : out.NetworkMode;
  const rp = out.RestartPolicy ?? { Name: '' as const };
  if (!RESTART.includes(rp.Name)) throw invalid(`invalid restart policy: unknown policy '${rp.Name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  if (rp.MaximumRetryCount && rp.Name !== 'on-failure') throw invalid(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  if ((rp.MaximumRetryCount ?? 0) < 0) throw invalid('invalid restart policy: maximum retry count cannot be negative');
  if (out.AutoRemove && rp.Name && rp.Name !== 'no') throw invalid("can't create 'AutoRemove' container with restart policy");
  out.RestartPolicy = { Name: rp.Name, MaximumRetryCount: rp.MaximumRetryCount ?? 0 };
  out.LogConfig = out.LogConfig ?? { Type: 'json-file', Config: {} };
  out.Binds = out.Binds ?? null;
  out.PortBindings = out.PortBindings ?? {};
  // dockerd records the default swap limit (twice the memory) with the container.
  if ((out.Memory ?? 0) > 0 && !out.MemorySwap) out.MemorySwap = (out.Memory ?? 0) * 2;
  return out;
}

/** Which network namespace the container uses. `container:<ref>` returns the ref to resolve. */
export function networkKind(mode: string | undefined): { kind: 'host' } | { kind: 'none' } | { kind: 'container'; ref: string } | { kind: 'network'; name: string } {
  const m = mode ?? 'default';
  if (m === 'host') return { kind: 'host' };
  if (m === 'none') return { kind: 'none' };
  if (m.startsWith('container:')) return { kind: 'container', ref: m.slice('container:'.length) };
  return { kind: 'network', name: m === 'default' ? 'bridge' : m };
}
