import type { SpecMutator } from './spec-input.js';

/** Docker's default masked paths. */
export const DEFAULT_MASKED_PATHS: readonly string[] = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];

/** Docker's default read-only paths. */
export const DEFAULT_READONLY_PATHS: readonly string[] = [
  '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger',
];

/** Masked and read-only /proc,/sys paths: none when privileged; HostConfig.MaskedPaths/ReadonlyPaths override. */
export const withMaskedPaths: SpecMutator = (spec, input) => {
  const hc = input.hostConfig;
  if (hc.Privileged) {
    delete spec.linux.maskedPaths;
    delete spec.linux.readonlyPaths;
    return;
  }
  spec.linux.maskedPaths = [...(hc.MaskedPaths ?? DEFAULT_MASKED_PATHS)];
  spec.linux.readonlyPaths = [...(hc.ReadonlyPaths ?? DEFAULT_READONLY_PATHS)];
};
