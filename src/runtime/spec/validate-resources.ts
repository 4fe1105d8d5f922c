import { EngineError } from '../../shared/errors.js';
import type { HostConfig } from '../../api/types.js';

/** Smallest memory limit Docker accepts (6 MiB). */
export const MIN_MEMORY = 6 * 1024 * 1024;

const bad = (msg: string): EngineError => new EngineError('invalid-argument', msg);

/**
 * Docker's create-time checks on resource settings, with dockerd's wording.
 * `cpus` (host CPU count) enables the NanoCpus range check.
 *
 * @example validateResources({ Memory: 1024 }) // throws "Minimum memory limit allowed is 6MB"
 */
export function validateResources(hc: HostConfig, cpus?: number): void {
  const mem = hc.Memory ?? 0;
  const swap = hc.MemorySwap ?? 0;
  const reservation = hc.MemoryReservation ?? 0;
  if (mem !== 0 && mem < MIN_MEMORY) throw bad('Minimum memory limit allowed is 6MB');
  if (mem > 0 && swap > 0 && swap < mem) throw bad('Minimum memoryswap limit should be larger than memory limit, see usage');
  if (mem === 0 && swap > 0) throw bad('You should always set the Memory limit when using Memoryswap limit, see usage');
  const swappiness = hc.MemorySwappiness;
  if (swappiness !== undefined && swappiness !== null && swappiness !== -1 && (swappiness < 0 || swappiness > 100)) {
    throw bad(`Invalid value: ${swappiness}, valid memory swappiness range is 0-100`);
  }
  if (reservation > 0 && reservation < MIN_MEMORY) throw bad('Minimum memory reservation allowed is 6MB');
  if (mem > 0 && reservation > 0 && mem < reservation) {
    throw bad('Minimum memory limit can not be less than memory reservation limit, see usage');
  }
  const nano = hc.NanoCpus ?? 0;
  if (nano > 0 && (hc.CpuPeriod ?? 0) > 0) throw bad('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (nano > 0 && (hc.CpuQuota ?? 0) > 0) throw bad('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  if (cpus !== undefined && (nano < 0 || nano > cpus * 1e9)) {
    throw bad(`Range of CPUs is from 0.01 to ${cpus}.00, as there are only ${cpus} CPUs available`);
  }
  const period = hc.CpuPeriod ?? 0;
  if (period !== 0 && (period < 1000 || period > 1000000)) {
    throw bad('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  }
  const quota = hc.CpuQuota ?? 0;
  if (quota > 0 && quota < 1000) throw bad('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  const weight = hc.BlkioWeight ?? 0;
  if (weight > 0 && (weight < 10 || weight > 1000)) throw bad('Range of blkio weight is from 10 to 1000');
  if ((hc.ShmSize ?? 0) < 0) throw bad('SHM size can not be less than 0');
}
