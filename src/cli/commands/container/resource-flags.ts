import { posix } from 'node:path';
import { Option } from 'commander';
import { shownDefault } from '../../help-default.js';
import type { HostConfig } from '../../../api/types.js';
import { parseRamBytes } from '../../format/units.js';
import { flagError, listFlag } from '../../opts/validators.js';

/** The resource and low-level flags of `run`/`create` beyond the common ones (commander's camelCase keys). */
export interface ResourceFlags {
  annotation?: string[];
  blkioWeight?: number;
  blkioWeightDevice?: string[];
  cgroupParent?: string;
  cpuPeriod?: number;
  cpuQuota?: number;
  cpuRtPeriod?: number;
  cpuRtRuntime?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  device?: string[];
  deviceCgroupRule?: string[];
  deviceReadBps?: string[];
  deviceReadIops?: string[];
  deviceWriteBps?: string[];
  deviceWriteIops?: string[];
  isolation?: string;
  kernelMemory?: number;
  memoryReservation?: number;
  memorySwap?: number;
  memorySwappiness?: number;
  oomKillDisable?: boolean;
  oomScoreAdj?: number;
  storageOpt?: string[];
  userns?: string;
}

/** pflag's integer flags, failing with strconv's words. */
function integer(flag: string, bits: 16 | 32 | 64, unsigned = false): (v: string) => number {
  const fn = unsigned ? 'ParseUint' : 'ParseInt';
  return (v) => {
    const bad = (why: string): never => {
      throw flagError(flag, v, `strconv.${fn}: parsing ${JSON.stringify(v)}: ${why}`);
    };
    if (!(unsigned ? /^\+?\d+$/ : /^[+-]?\d+$/).test(v)) bad('invalid syntax');
    const n = BigInt(v);
    const max = unsigned ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n;
    const min = unsigned ? 0n : -(1n << BigInt(bits - 1));
    if (n > max || n < min) bad('value out of range');
    return Number(n);
  };
}

/** docker's MemBytes / MemSwapBytes flags (`-1` is unlimited swap). */
function bytes(flag: string, swap = false): (v: string) => number {
  return (v) => {
    if (swap && v === '-1') return -1;
    try {
      return parseRamBytes(v);
    } catch (e) {
      throw flagError(flag, v, (e as Error).message);
    }
  };
}

const DEVICE_CGROUP_RULE = /^[acb] ([0-9]+|\*):([0-9]+|\*) [rwm]{1,3}$/;

/** The flags, in docker's names and words (help sorts them with the rest). */
export function resourceOptions(): Option[] {
  return [
    shownDefault(new Option('--annotation <map>', 'Add an annotation to the container (passed through to the OCI runtime)').argParser(listFlag('--annotation')), 'map[]'),
    new Option('--blkio-weight <uint16>', 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)').argParser(integer('--blkio-weight', 16, true)),
    shownDefault(new Option('--blkio-weight-device <list>', 'Block IO weight (relative device weight)').argParser(listFlag('--blkio-weight-device', validateWeightDevice)), '[]'),
    new Option('--cgroup-parent <string>', 'Optional parent cgroup for the container'),
    new Option('--cpu-period <int>', 'Limit CPU CFS (Completely Fair Scheduler) period').argParser(integer('--cpu-period', 64)),
    new Option('--cpu-quota <int>', 'Limit CPU CFS (Completely Fair Scheduler) quota').argParser(integer('--cpu-quota', 64)),
    new Option('--cpu-rt-period <int>', 'Limit CPU real-time period in microseconds').argParser(integer('--cpu-rt-period', 64)),
    new Option('--cpu-rt-runtime <int>', 'Limit CPU real-time runtime in microseconds').argParser(integer('--cpu-rt-runtime', 64)),
    new Option('--cpuset-cpus <string>', 'CPUs in which to allow execution (0-3, 0,1)'),
    new Option('--cpuset-mems <string>', 'MEMs in which to allow execution (0-3, 0,1)'),
    new Option('--device <list>', 'Add a host device to the container').argParser(listFlag('--device')),
    new Option('--device-cgroup-rule <list>', 'Add a rule to the cgroup allowed devices list').argParser(
      listFlag('--device-cgroup-rule', (v) => {
        if (!DEVICE_CGROUP_RULE.test(v)) throw new Error(`invalid device cgroup format '${v}'`);
        return v;
      }),
    ),
    shownDefault(new Option('--device-read-bps <list>', 'Limit read rate (bytes per second) from a device').argParser(listFlag('--device-read-bps', (v) => validateThrottle(v, true))), '[]'),
    shownDefault(new Option('--device-read-iops <list>', 'Limit read rate (IO per second) from a device').argParser(listFlag('--device-read-iops', (v) => validateThrottle(v, false))), '[]'),
    shownDefault(new Option('--device-write-bps <list>', 'Limit write rate (bytes per second) to a device').argParser(listFlag('--device-write-bps', (v) => validateThrottle(v, true))), '[]'),
    shownDefault(new Option('--device-write-iops <list>', 'Limit write rate (IO per second) to a device').argParser(listFlag('--device-write-iops', (v) => validateThrottle(v, false))), '[]'),
    new Option('--disable-content-trust', 'Skip image verification').default(true),
    new Option('--isolation <string>', 'Container isolation technology'),
    new Option('--kernel-memory <bytes>', 'Kernel memory limit').argParser(bytes('--kernel-memory')),
    new Option('--memory-reservation <bytes>', 'Memory soft limit').argParser(bytes('--memory-reservation')),
    new Option('--memory-swap <bytes>', "Swap limit equal to memory plus swap: '-1' to enable unlimited swap").argParser(bytes('--memory-swap', true)),
    new Option('--memory-swappiness <int>', 'Tune container memory swappiness (0 to 100)').argParser(integer('--memory-swappiness', 64)).default(-1),
    new Option('--oom-kill-disable', 'Disable OOM Killer'),
    new Option('--oom-score-adj <int>', "Tune host's OOM preferences (-1000 to 1000)").argParser(integer('--oom-score-adj', 64)),
    new Option('--storage-opt <list>', 'Storage driver options for the container').argParser(listFlag('--storage-opt')),
    new Option('--userns <string>', 'User namespace to use'),
  ];
}

/**
 * Puts the flags into the create request's HostConfig as docker's parse.go does
 * (`MemorySwappiness` and `OomKillDisable` always sent); bad values throw docker's words.
 *
 * @example applyResources(host, { memorySwap: '8m', oomKillDisable: true })
 */
export function applyResources(host: HostConfig, f: ResourceFlags): void {
  const h = host as HostConfig & Record<string, unknown>;
  const swappiness = f.memorySwappiness ?? -1;
  if (swappiness !== -1 && (swappiness < 0 || swappiness > 100)) throw new Error(`invalid value: ${swappiness}. Valid memory swappiness range is 0-100`);
  const devices = (f.device ?? []).map((d) => parseLinuxDevice(validateLinuxPath(d)));
  const storage: Record<string, string> = {};
  for (const o of f.storageOpt ?? []) {
    const i = o.indexOf('=');
    if (i < 0) throw new Error('invalid storage option');
    storage[o.slice(0, i)] = o.slice(i + 1);
  }
  const annotations: Record<string, string> = {};
  for (const a of f.annotation ?? []) {
    const i = a.indexOf('=');
    annotations[i < 0 ? a : a.slice(0, i)] = i < 0 ? '' : a.slice(i + 1);
  }
  if (f.cgroupParent) h.CgroupParent = f.cgroupParent;
  if (f.memoryReservation !== undefined) h.MemoryReservation = f.memoryReservation;
  if (f.memorySwap !== undefined) h.MemorySwap = f.memorySwap;
  h.MemorySwappiness = swappiness;
  if (f.kernelMemory !== undefined) h.KernelMemory = f.kernelMemory;
  h.OomKillDisable = !!f.oomKillDisable;
  if (f.oomScoreAdj !== undefined) h.OomScoreAdj = f.oomScoreAdj;
  if (f.cpuPeriod !== undefined) h.CpuPeriod = f.cpuPeriod;
  if (f.cpuQuota !== undefined) h.CpuQuota = f.cpuQuota;
  if (f.cpuRtPeriod !== undefined) h.CpuRealtimePeriod = f.cpuRtPeriod;
  if (f.cpuRtRuntime !== undefined) h.CpuRealtimeRuntime = f.cpuRtRuntime;
  if (f.cpusetCpus) h.CpusetCpus = f.cpusetCpus;
  if (f.cpusetMems) h.CpusetMems = f.cpusetMems;
  if (f.blkioWeight !== undefined) h.BlkioWeight = f.blkioWeight;
  if (f.blkioWeightDevice?.length) h.BlkioWeightDevice = f.blkioWeightDevice.map((w) => ({ Path: w.slice(0, w.lastIndexOf(':')), Weight: Number(w.slice(w.lastIndexOf(':') + 1)) }));
  const throttle = (list: string[] | undefined, bps: boolean): { Path: string; Rate: number }[] | undefined =>
    list?.length ? list.map((x) => ({ Path: x.slice(0, x.lastIndexOf(':')), Rate: bps ? parseRamBytes(x.slice(x.lastIndexOf(':') + 1)) : Number(x.slice(x.lastIndexOf(':') + 1)) })) : undefined;
  const rbps = throttle(f.deviceReadBps, true);
  const wbps = throttle(f.deviceWriteBps, true);
  const riops = throttle(f.deviceReadIops, false);
  const wiops = throttle(f.deviceWriteIops, false);
  if (rbps) h.BlkioDeviceReadBps = rbps;
  if (wbps) h.BlkioDeviceWriteBps = wbps;
  if (riops) h.BlkioDeviceReadIOps = riops;
  if (wiops) h.BlkioDeviceWriteIOps = wiops;
  if (devices.length) h.Devices = devices;
  if (f.deviceCgroupRule?.length) h.DeviceCgroupRules = f.deviceCgroupRule;
  if (Object.keys(storage).length) h.StorageOpt = storage;
  if (Object.keys(annotations).length) h.Annotations = annotations;
  if (f.isolation) h.Isolation = f.isolation;
  if (f.userns) h.UsernsMode = f.userns;
}

function validDeviceMode(mode: string): boolean {
  if (mode === '') return false;
  const seen = new Set<string>();
  for (const c of mode) {
    if (!'rwm'.includes(c) || seen.has(c)) return false;
    seen.add(c);
  }
  return true;
}

/** docker's validateLinuxPath for `--device`: `[host:]container[:mode]`, the container path absolute. */
export function validateLinuxPath(val: string): string {
  if ((val.match(/:/g) ?? []).length > 2) throw new Error(`bad format for path: ${val}`);
  const split = val.split(':');
  if (split[0] === '') throw new Error(`bad format for path: ${val}`);
  let containerPath: string;
  let out = val;
  if (split.length === 1) {
    containerPath = split[0]!;
    out = goClean(containerPath);
  } else if (split.length === 2) {
    if (validDeviceMode(split[1]!)) {
      containerPath = split[0]!;
      out = `${goClean(containerPath)}:${split[1]}`;
    } else {
      containerPath = split[1]!;
      out = `${split[0]}:${goClean(containerPath)}`;
    }
  } else {
    containerPath = split[1]!;
    if (!validDeviceMode(split[2]!)) throw new Error(`bad mode specified: ${split[2]}`);
  }
  if (!posix.isAbsolute(containerPath)) throw new Error(`${containerPath} is not an absolute path`);
  return out;
}

/** Go's path.Clean (no trailing slash but for `/`). */
function goClean(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** docker's parseLinuxDevice: `src[:dst][:perms]`, perms `rwm` by default. */
export function parseLinuxDevice(device: string): { PathOnHost: string; PathInContainer: string; CgroupPermissions: string } {
  const arr = device.split(':');
  if (arr.length > 3) throw new Error(`invalid device specification: ${device}`);
  let permissions = 'rwm';
  let dst = '';
  if (arr.length === 3) permissions = arr[2]!;
  if (arr.length >= 2) {
    if (validDeviceMode(arr[1]!)) permissions = arr[1]!;
    else dst = arr[1]!;
  }
  const src = arr[0]!;
  return { PathOnHost: src, PathInContainer: dst || src, CgroupPermissions: permissions };
}

function validateWeightDevice(v: string): string {
  const i = v.lastIndexOf(':');
  if (i < 0) throw new Error(`bad format: ${v}`);
  if (!v.startsWith('/dev/')) throw new Error(`bad format for device path: ${v}`);
  const w = v.slice(i + 1);
  if (!/^\d+$/.test(w) || (Number(w) !== 0 && (Number(w) < 10 || Number(w) > 1000))) throw new Error(`invalid weight for device: ${v}`);
  return v;
}

function validateThrottle(v: string, bytes: boolean): string {
  const i = v.lastIndexOf(':');
  if (i < 0) throw new Error(`bad format: ${v}`);
  if (!v.startsWith('/dev/')) throw new Error(`bad format for device path: ${v}`);
  const rate = v.slice(i + 1);
  const ok = bytes ? (() => {
    try {
      return parseRamBytes(rate) >= 0;
    } catch {
      return false;
    }
  })() : /^\d+$/.test(rate);
  if (!ok) {
    throw new Error(
      bytes
        ? `invalid rate for device: ${v}. The correct format is <device-path>:<number>[<unit>]. Number must be a positive integer. Unit is optional and can be kb, mb, or gb`
        : `invalid rate for device: ${v}. The correct format is <device-path>:<number>. Number must be a positive integer`,
    );
  }
  return v;
}
