import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { ContainerUpdateRequest, HostConfig } from '../api/types.js';
import type { HostInfo } from '../runtime/spec/spec-input.js';
import type { OciLinuxResources, OciSpec } from '../runtime/spec/oci-types.js';
import { withResources } from '../runtime/spec/with-resources.js';
import { EngineError } from '../shared/errors.js';
import type { ContainerRecord } from './container-record.js';
import type { ServiceContext } from './service-context.js';
import { checkUpdate, mergeUpdate, type UpdateHostFacts } from './update-config.js';

const CGROUP_ROOT = '/sys/fs/cgroup';

/**
 * `POST /containers/{id}/update`: checks the request (400s), merges it into the container's
 * HostConfig (409s for conflicts) and saves it; a running or paused container gets the new
 * limits at once through the runtime (`crun update`). When the runtime refuses (a memory limit
 * below what the container uses), the old HostConfig is put back and the error is
 * `Cannot update container <id>: ...`. Publishes `update`. Caller holds the container lock;
 * the request was checked with checkUpdate() first.
 */
export async function updateContainer(ctx: ServiceContext, rec: ContainerRecord, req: ContainerUpdateRequest): Promise<void> {
  const status = rec.state.status;
  if (status === 'removing' || status === 'dead') {
    throw new EngineError('conflict', `Cannot update container ${rec.id}: container is marked for removal and cannot be "update"`);
  }
  const before = rec.hostConfig;
  rec.hostConfig = mergeUpdate(rec.id, before, req);
  try {
    await ctx.save(rec);
    if ((status === 'running' || status === 'paused') && ctx.deps.runtime.update) {
      const host = await hostInfo(ctx, rec.hostConfig);
      await ctx.deps.runtime.update(rec.id, liveResources(rec.hostConfig, host)).catch((err: unknown) => {
        throw new EngineError('internal', `Cannot update container ${rec.id}: ${runtimeReason(ctx, rec, err)}`, { cause: err });
      });
      if (req.PidsLimit !== undefined && req.PidsLimit !== null && req.PidsLimit <= 0) unlimitPids(ctx, rec);
    }
  } catch (err) {
    rec.hostConfig = before;
    await ctx.save(rec).catch(() => {});
    throw err;
  }
  ctx.emit(rec, 'update');
}

/** The host facts an update is checked against (probed; cheap enough per request). */
export function updateHostFacts(host: HostInfo = {}, root = CGROUP_ROOT): UpdateHostFacts {
  const v2 = existsSync(`${root}/cgroup.controllers`);
  const read = (...paths: string[]): string => {
    for (const p of paths) {
      try {
        return readFileSync(p, 'utf8').trim();
      } catch {
        // next
      }
    }
    return '';
  };
  return {
    cpus: cpus().length,
    swapLimit: host.swapAccounting ?? (v2 || existsSync(`${root}/memory/memory.memsw.limit_in_bytes`)),
    blkioWeight: host.blkioWeight ?? (v2 || existsSync(`${root}/blkio/blkio.weight`)),
    cpusetCpus: v2 ? read(`${root}/cpuset.cpus.effective`, '/sys/devices/system/cpu/online') : read(`${root}/cpuset/cpuset.cpus`, '/sys/devices/system/cpu/online'),
    cpusetMems: v2 ? read(`${root}/cpuset.mems.effective`, '/sys/devices/system/node/online') : read(`${root}/cpuset/cpuset.mems`, '/sys/devices/system/node/online'),
  };
}

/** The container's facts as its spec would see them (`spec.host` may list devices: failures are ignored). */
export async function hostInfo(ctx: ServiceContext, hc: HostConfig): Promise<HostInfo> {
  const probed = await Promise.resolve(ctx.deps.spec.host?.(hc)).catch(() => undefined);
  return { ...probed, ...ctx.deps.hostInfo };
}

/**
 * The OCI resources of the updated HostConfig, built by the same mutator as the spec (what it
 * leaves out is not touched; an unlimited pids limit is written by unlimitPids()).
 */
export function liveResources(hc: HostConfig, host: HostInfo): OciLinuxResources {
  const spec = { linux: {} } as OciSpec;
  const memory = (hc.Memory ?? 0) > 0 ? {} : { MemorySwap: 0 };
  withResources(spec, { hostConfig: { ...hc, ...memory }, host, cgroupsPath: '' } as Parameters<typeof withResources>[1]);
  const r: OciLinuxResources = { ...spec.linux.resources };
  delete r.devices;
  if (r.memory) {
    delete r.memory.disableOOMKiller;
    delete r.memory.swappiness;
  }
  return r;
}

/** The container's cgroup directory for `controller` (v1) or its unified directory (v2). */
function cgroupDir(ctx: ServiceContext, rec: ContainerRecord, controller: string): string {
  const dir = `${rec.hostConfig.CgroupParent || ctx.deps.cgroupParent || 'berth'}/${rec.id}`;
  return existsSync(`${CGROUP_ROOT}/cgroup.controllers`) ? `${CGROUP_ROOT}/${dir}` : `${CGROUP_ROOT}/${controller}/${dir}`;
}

/**
 * `--pids-limit -1` on a limited container: crun (1.8) skips a pids limit of 0 and refuses -1,
 * so `max` is written to the container's pids.max directly.
 */
function unlimitPids(ctx: ServiceContext, rec: ContainerRecord): void {
  try {
    writeFileSync(`${cgroupDir(ctx, rec, 'pids')}/pids.max`, 'max');
  } catch (err) {
    throw new EngineError('internal', `Cannot update container ${rec.id}: failed to set pids.max: ${(err as Error).message}`, { cause: err });
  }
}

/** dockerd's (runc's) wording for a memory limit below the current usage; the runtime's message otherwise. */
function runtimeReason(ctx: ServiceContext, rec: ContainerRecord, err: unknown): string {
  const msg = (err instanceof Error ? err.message : String(err)).replace(/^failed to update container \S+: /, '');
  if (!/memory\.(limit_in_bytes|max)/.test(msg) || !/busy/i.test(msg)) return msg;
  const dir = cgroupDir(ctx, rec, 'memory');
  const v2 = existsSync(`${CGROUP_ROOT}/cgroup.controllers`);
  const num = (file: string): string => {
    try {
      return readFileSync(`${dir}/${file}`, 'utf8').trim();
    } catch {
      return '?';
    }
  };
  const usage = num(v2 ? 'memory.current' : 'memory.usage_in_bytes');
  const peak = num(v2 ? 'memory.peak' : 'memory.max_usage_in_bytes');
  return `unable to set memory limit to ${rec.hostConfig.Memory} (current usage: ${usage}, peak usage: ${peak})`;
}
