import { access, readFile } from 'node:fs/promises';
import { release } from 'node:os';
import { capabilitiesFromMask } from './capabilities.js';
import type { HostInfo } from './spec-input.js';

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

/**
 * Probe the facts buildSpec needs about this host: the daemon's bounding capabilities,
 * kernel, arch, and whether cgroup swap accounting / blkio weight exist.
 * Devices are listed separately (listHostDevices) since only privileged containers need them.
 */
export async function probeHost(cgroupRoot = '/sys/fs/cgroup'): Promise<HostInfo> {
  const status = await readFile('/proc/self/status', 'utf8');
  const bnd = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  const v2 = await readFile(`${cgroupRoot}/cgroup.controllers`, 'utf8').then((t) => t.split(/\s+/), () => undefined);
  const [swap, blkio] = v2
    ? [v2.includes('memory'), v2.includes('io')]
    : await Promise.all([exists(`${cgroupRoot}/memory/memory.memsw.limit_in_bytes`), exists(`${cgroupRoot}/blkio/blkio.weight`)]);
  return {
    ...(bnd ? { capabilities: capabilitiesFromMask(bnd) } : {}),
    kernel: release(),
    arch: process.arch,
    swapAccounting: swap,
    // Not BFQ's blkio.bfq.weight: crun (1.8) writes blkio.weight only, and dockerd 20.10 discards the weight too.
    blkioWeight: blkio,
  };
}

/** RLIMIT_NOFILE of this process, from /proc/self/limits ('unlimited' -> Number.MAX_SAFE_INTEGER). */
export async function readRlimitNofile(): Promise<{ soft: number; hard: number }> {
  const text = await readFile('/proc/self/limits', 'utf8');
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  const num = (v: string | undefined): number => (v === undefined || v === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(v));
  return { soft: num(m?.[1]), hard: num(m?.[2]) };
}
