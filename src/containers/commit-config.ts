import type { ContainerConfig } from '../api/types.js';

const envKey = (e: string): string => e.split('=')[0]!;

/**
 * dockerd's commit merge (daemon/commit.go `merge`): what the commit's config (the request
 * body, else the container's, with `--change` lines applied) leaves unset is taken from the
 * container's config. Env and ExposedPorts and Labels are unions (the commit's win), Cmd and
 * Entrypoint are inherited only while no Entrypoint is set, Healthcheck field by field.
 *
 * @example mergeCommitConfig({ Cmd: ['x'] }, { Env: ['A=1'], Cmd: ['sh'] }) // { Cmd: ['x'], Env: ['A=1'], ... }
 */
export function mergeCommitConfig(user: ContainerConfig, container: ContainerConfig): ContainerConfig {
  const out: ContainerConfig = structuredClone(user);
  if (!out.User) out.User = container.User ?? '';
  if (!out.ExposedPorts || Object.keys(out.ExposedPorts).length === 0) out.ExposedPorts = container.ExposedPorts;
  else out.ExposedPorts = { ...(container.ExposedPorts ?? {}), ...out.ExposedPorts };
  if (!out.Env?.length) out.Env = container.Env ?? null;
  else {
    const keys = new Set(out.Env.map(envKey));
    out.Env = [...out.Env, ...(container.Env ?? []).filter((e) => !keys.has(envKey(e)))];
  }
  out.Labels = { ...(container.Labels ?? {}), ...(out.Labels ?? {}) };
  if (!out.Entrypoint?.length) {
    if (!out.Cmd?.length) out.Cmd = container.Cmd ?? null;
    if (out.Entrypoint === undefined || out.Entrypoint === null) out.Entrypoint = container.Entrypoint ?? null;
  }
  if (container.Healthcheck) {
    if (!out.Healthcheck) out.Healthcheck = container.Healthcheck;
    else {
      const hc = out.Healthcheck;
      if (!hc.Test?.length) hc.Test = container.Healthcheck.Test;
      hc.Interval ||= container.Healthcheck.Interval;
      hc.Timeout ||= container.Healthcheck.Timeout;
      hc.StartPeriod ||= container.Healthcheck.StartPeriod;
      hc.Retries ||= container.Healthcheck.Retries;
    }
  }
  if (!out.WorkingDir) out.WorkingDir = container.WorkingDir ?? '';
  if (!out.Volumes || Object.keys(out.Volumes).length === 0) out.Volumes = container.Volumes ?? null;
  else out.Volumes = { ...out.Volumes, ...(container.Volumes ?? {}) };
  if (!out.StopSignal && container.StopSignal) out.StopSignal = container.StopSignal;
  return out;
}
