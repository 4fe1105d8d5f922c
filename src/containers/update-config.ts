import type { ContainerUpdateRequest, HostConfig, RestartPolicy } from '../api/types.js';
import { EngineError, invalid } from '../shared/errors.js';
import { validateResources } from '../runtime/spec/validate-resources.js';

/** What the host offers, as dockerd's sysinfo sees it. */
export interface UpdateHostFacts {
  /** CPUs the daemon may use (the NanoCpus range). */
  cpus: number;
  /** cgroup v1 memsw files exist (else a memory limit comes without a swap limit). */
  swapLimit: boolean;
  /** blkio weight can be set (else BlkioWeight is discarded with a warning). */
  blkioWeight: boolean;
  /** The CPUs and memory nodes a cpuset may name (`0-3,5`). */
  cpusetCpus: string;
  cpusetMems: string;
}

/**
 * dockerd's checks of an update request (verifyContainerSettings with update=true), before it
 * looks at the container: errors are 400s with dockerd's wording; returns the request with what
 * the host cannot do dropped, and the warnings that say so.
 *
 * @example checkUpdate({ Memory: 1024 }, facts) // throws "Minimum memory limit allowed is 6MB"
 */
export function checkUpdate(req: ContainerUpdateRequest, host: UpdateHostFacts): { req: ContainerUpdateRequest; warnings: string[] } {
  const out: ContainerUpdateRequest = { ...req };
  const warnings: string[] = [];
  const mem = out.Memory ?? 0;
  if (mem > 0 && (out.MemorySwap ?? 0) !== -1 && !host.swapLimit) {
    warnings.push('Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.');
    out.MemorySwap = -1;
  }
  // An update may set the swap limit alone (create may not): validate it as if memory came with it.
  validateResources({ ...out, MemorySwap: mem > 0 ? out.MemorySwap : 0 } as HostConfig, host.cpus);
  checkCpuset(out.CpusetCpus, host.cpusetCpus, 'cpus', 'CPUs');
  checkCpuset(out.CpusetMems, host.cpusetMems, 'mems', 'memory nodes');
  if ((out.BlkioWeight ?? 0) > 0 && !host.blkioWeight) {
    warnings.push('Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.');
    out.BlkioWeight = 0;
  }
  if (out.RestartPolicy) checkRestartPolicy(out.RestartPolicy);
  return { req: out, warnings };
}

/** dockerd 24's wording (verifyContainerSettings), as the docker CLI passes the policy through. */
function checkRestartPolicy(rp: RestartPolicy): void {
  const name = rp.Name ?? '';
  const count = rp.MaximumRetryCount ?? 0;
  if (name === 'always' || name === 'unless-stopped' || name === 'no') {
    if (count !== 0) throw invalid(`maximum retry count cannot be used with restart policy '${name}'`);
  } else if (name === 'on-failure') {
    if (count < 0) throw invalid('maximum retry count cannot be negative');
  } else if (name !== '') {
    throw invalid(`invalid restart policy '${name}'`);
  }
}

function checkCpuset(value: string | undefined, available: string, key: 'cpus' | 'mems', what: string): void {
  if (!value) return;
  const wanted = parseUintList(value);
  if (!wanted) throw invalid(`Invalid value ${value} for cpuset ${key}: invalid format: ${value}`);
  const have = parseUintList(available) ?? new Set<number>();
  if (available && [...wanted].some((n) => !have.has(n))) throw invalid(`Requested ${what} are not available - requested ${value}, available: ${available}`);
}

/** Docker's ParseUintList (`0-3,5`); undefined when malformed. */
export function parseUintList(val: string): Set<number> | undefined {
  const out = new Set<number>();
  if (val === '') return out;
  for (const r of val.split(',')) {
    const [a, b] = r.includes('-') ? [r.slice(0, r.indexOf('-')), r.slice(r.indexOf('-') + 1)] : [r, r];
    if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) return undefined;
    const lo = Number(a);
    const hi = Number(b);
    if (hi < lo) return undefined;
    for (let i = lo; i <= hi; i++) out.add(i);
  }
  return out;
}

const conflicting = (id: string, msg: string): EngineError => new EngineError('conflict', `Cannot update container ${id}: ${msg}`);

/**
 * The container's new HostConfig (dockerd's Container.UpdateContainer): each non-zero field of
 * the request replaces the container's; NanoCpus and CPU period/quota exclude each other
 * across updates; a memory limit above the container's swap limit needs a new swap limit; a
 * restart policy cannot be given to an auto-remove container. Conflicts are 409s
 * `Cannot update container <id>: ...`. `PidsLimit` 0 (or less) means unlimited.
 */
export function mergeUpdate(id: string, current: HostConfig, req: ContainerUpdateRequest): HostConfig {
  const c: HostConfig = { ...current };
  const nano = req.NanoCpus ?? 0;
  if (nano > 0 && (c.CpuPeriod ?? 0) > 0) throw conflicting(id, 'Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set');
  if (nano > 0 && (c.CpuQuota ?? 0) > 0) throw conflicting(id, 'Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set');
  if ((req.CpuPeriod ?? 0) > 0 && (c.NanoCpus ?? 0) > 0) throw conflicting(id, 'Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set');
  if ((req.CpuQuota ?? 0) > 0 && (c.NanoCpus ?? 0) > 0) throw conflicting(id, 'Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set');
  for (const k of ['BlkioWeight', 'CpuShares', 'NanoCpus', 'CpuPeriod', 'CpuQuota', 'MemorySwap', 'MemoryReservation', 'CpuRealtimePeriod', 'CpuRealtimeRuntime'] as const) {
    if (req[k]) c[k] = req[k];
  }
  if (req.CpusetCpus) c.CpusetCpus = req.CpusetCpus;
  if (req.CpusetMems) c.CpusetMems = req.CpusetMems;
  if (req.Memory) {
    if (req.Memory > (current.MemorySwap ?? 0) && !req.MemorySwap) {
      throw conflicting(id, 'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
    }
    c.Memory = req.Memory;
  }
  if (req.PidsLimit !== undefined && req.PidsLimit !== null) c.PidsLimit = req.PidsLimit > 0 ? req.PidsLimit : 0;
  const rp = req.RestartPolicy;
  if (rp?.Name) {
    if (current.AutoRemove && rp.Name !== 'no') throw conflicting(id, 'Restart policy cannot be updated because AutoRemove is enabled for the container');
    c.RestartPolicy = { Name: rp.Name, MaximumRetryCount: rp.MaximumRetryCount ?? 0 };
  }
  return c;
}
