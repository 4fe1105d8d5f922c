import type { OciLinuxResources } from './oci-types.js';
import type { SpecMutator } from './spec-input.js';
import { validateResources } from './validate-resources.js';

/** CFS period Docker uses for NanoCpus (100ms). */
export const NANO_CPU_PERIOD = 100000;

/**
 * Memory, swap, reservation, swappiness, OOM killer, CPU shares/quota/period (NanoCpus ->
 * quota over a 100ms period), cpuset, pids, blkio weight, cgroupsPath.
 * Like dockerd: MemorySwap defaults to 2x Memory, and is dropped (as is BlkioWeight) when the
 * host lacks the controller file.
 */
export const withResources: SpecMutator = (spec, input) => {
  const hc = input.hostConfig;
  validateResources(hc);
  const host = input.host ?? {};
  const r: OciLinuxResources = (spec.linux.resources ??= {});
  const memory: NonNullable<OciLinuxResources['memory']> = {};
  const mem = hc.Memory ?? 0;
  if (mem > 0) memory.limit = mem;
  if ((hc.MemoryReservation ?? 0) > 0) memory.reservation = hc.MemoryReservation;
  let swap = hc.MemorySwap ?? 0;
  if (mem > 0 && swap === 0) swap = mem * 2;
  if (swap !== 0 && host.swapAccounting !== false) memory.swap = swap;
  const swappiness = hc.MemorySwappiness;
  if (swappiness !== undefined && swappiness !== null && swappiness >= 0) memory.swappiness = swappiness;
  if (hc.OomKillDisable) memory.disableOOMKiller = true;
  if (Object.keys(memory).length > 0) r.memory = memory;

  const cpu: NonNullable<OciLinuxResources['cpu']> = {};
  if ((hc.CpuShares ?? 0) > 0) cpu.shares = hc.CpuShares;
  const nano = hc.NanoCpus ?? 0;
  if (nano > 0) {
    cpu.period = NANO_CPU_PERIOD;
    cpu.quota = Math.floor((nano * NANO_CPU_PERIOD) / 1e9);
  } else {
    if ((hc.CpuPeriod ?? 0) > 0) cpu.period = hc.CpuPeriod;
    if ((hc.CpuQuota ?? 0) !== 0) cpu.quota = hc.CpuQuota;
  }
  if (hc.CpusetCpus) cpu.cpus = hc.CpusetCpus;
  if (hc.CpusetMems) cpu.mems = hc.CpusetMems;
  if (Object.keys(cpu).length > 0) r.cpu = cpu;

  const pids = hc.PidsLimit ?? 0;
  if (pids !== 0) r.pids = { limit: pids > 0 ? pids : -1 };
  const weight = hc.BlkioWeight ?? 0;
  if (weight > 0 && host.blkioWeight !== false) r.blockIO = { weight };
  spec.linux.cgroupsPath = input.cgroupsPath;
};
