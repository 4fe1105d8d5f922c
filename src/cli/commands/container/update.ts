import { type Command, Option } from 'commander';
import type { ContainerUpdateRequest } from '../../../api/types.js';
import { containerUpdate } from '../../../api-client/container-update.js';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { parseRamBytes } from '../../format/units.js';
import { flagError } from '../../opts/validators.js';
import { describeError } from '../for-each-target.js';

/** Parsed `update` flags (commander's camelCase keys). */
interface UpdateFlags {
  blkioWeight?: number;
  cpuPeriod?: number;
  cpuQuota?: number;
  cpuRtPeriod?: number;
  cpuRtRuntime?: number;
  cpuShares?: number;
  cpus?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  memory?: number;
  memoryReservation?: number;
  memorySwap?: number;
  kernelMemory?: number;
  pidsLimit?: number;
  restart?: string;
}

/** A flag value parser failing with docker's `invalid argument "x" for "-m, --memory" flag: ...` (exit 125 + usage). */
function flag<T>(name: string, parse: (v: string) => T): (v: string) => T {
  return (v) => {
    try {
      return parse(v);
    } catch (e) {
      throw flagError(name, v, (e as Error).message);
    }
  };
}

/** pflag's Int64/Uint16 parsing, with strconv's errors. */
function integer(bits: 64 | 16, unsigned: boolean): (v: string) => number {
  const fn = unsigned ? 'ParseUint' : 'ParseInt';
  return (v) => {
    if (!(unsigned ? /^\+?\d+$/ : /^[+-]?\d+$/).test(v)) throw new Error(`strconv.${fn}: parsing "${v}": invalid syntax`);
    const n = BigInt(v);
    const max = unsigned ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n;
    const min = unsigned ? 0n : -(1n << BigInt(bits - 1));
    if (n > max || n < min) throw new Error(`strconv.${fn}: parsing "${v}": value out of range`);
    return Number(n);
  };
}

/** docker's NanoCPUs flag: a decimal number of CPUs, in billionths. */
export function parseNanoCpus(v: string): number {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(v.trim())) throw new Error(`failed to parse ${v} as a rational number`);
  const nano = Number(v) * 1e9;
  if (!Number.isInteger(Math.round(nano * 1e6) / 1e6)) throw new Error('value is too precise');
  return Math.round(nano);
}

/** docker's MemSwapBytes: `-1` is unlimited, anything else a size. */
const swapBytes = (v: string): number => (v === '-1' ? -1 : parseRamBytes(v));

/** docker's ParseRestartPolicy: `name[:max-retries]`. */
function restartPolicy(s: string): NonNullable<ContainerUpdateRequest['RestartPolicy']> {
  const i = s.indexOf(':');
  const name = i < 0 ? s : s.slice(0, i);
  const count = i < 0 ? '' : s.slice(i + 1);
  if (i >= 0 && name === '') throw new CliError(1, 'invalid restart policy format: no policy provided before colon');
  if (count !== '' && !/^[+-]?\d+$/.test(count)) throw new CliError(1, 'invalid restart policy format: maximum retry count must be an integer');
  return { Name: name as never, MaximumRetryCount: count === '' ? 0 : Number(count) };
}

/** The update body from flags: docker's runUpdate sends the whole Resources struct (Go's zero values) and the policy. */
export function updateRequest(f: UpdateFlags): ContainerUpdateRequest & Record<string, unknown> {
  return {
    CpuShares: f.cpuShares ?? 0,
    Memory: f.memory ?? 0,
    NanoCpus: f.cpus ?? 0,
    CgroupParent: '',
    BlkioWeight: f.blkioWeight ?? 0,
    BlkioWeightDevice: null,
    BlkioDeviceReadBps: null,
    BlkioDeviceWriteBps: null,
    BlkioDeviceReadIOps: null,
    BlkioDeviceWriteIOps: null,
    CpuPeriod: f.cpuPeriod ?? 0,
    CpuQuota: f.cpuQuota ?? 0,
    CpuRealtimePeriod: f.cpuRtPeriod ?? 0,
    CpuRealtimeRuntime: f.cpuRtRuntime ?? 0,
    CpusetCpus: f.cpusetCpus ?? '',
    CpusetMems: f.cpusetMems ?? '',
    Devices: null,
    DeviceCgroupRules: null,
    DeviceRequests: null,
    ...(f.kernelMemory ? { KernelMemory: f.kernelMemory } : {}),
    MemoryReservation: f.memoryReservation ?? 0,
    MemorySwap: f.memorySwap ?? 0,
    MemorySwappiness: null,
    OomKillDisable: null,
    PidsLimit: f.pidsLimit ? f.pidsLimit : null,
    Ulimits: null,
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    RestartPolicy: f.restart ? restartPolicy(f.restart) : { Name: '', MaximumRetryCount: 0 },
  };
}

/** `berth update [OPTIONS] CONTAINER...`: names printed as given, then the daemon's warnings; errors at the end (exit 1). */
export function register(parent: Command, ctx: CliContext): Command {
  const cmd = parent
    .command('update')
    .description('Update configuration of one or more containers')
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .argument('<container...>')
    .option('--blkio-weight <uint16>', 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)', flag('--blkio-weight', integer(16, true)))
    .option('--cpu-period <int>', 'Limit CPU CFS (Completely Fair Scheduler) period', flag('--cpu-period', integer(64, false)))
    .option('--cpu-quota <int>', 'Limit CPU CFS (Completely Fair Scheduler) quota', flag('--cpu-quota', integer(64, false)))
    .option('--cpu-rt-period <int>', 'Limit the CPU real-time period in microseconds', flag('--cpu-rt-period', integer(64, false)))
    .option('--cpu-rt-runtime <int>', 'Limit the CPU real-time runtime in microseconds', flag('--cpu-rt-runtime', integer(64, false)))
    .option('-c, --cpu-shares <int>', 'CPU shares (relative weight)', flag('-c, --cpu-shares', integer(64, false)))
    .option('--cpus <decimal>', 'Number of CPUs', flag('--cpus', parseNanoCpus))
    .option('--cpuset-cpus <string>', 'CPUs in which to allow execution (0-3, 0,1)')
    .option('--cpuset-mems <string>', 'MEMs in which to allow execution (0-3, 0,1)')
    .option('-m, --memory <bytes>', 'Memory limit', flag('-m, --memory', parseRamBytes))
    .option('--memory-reservation <bytes>', 'Memory soft limit', flag('--memory-reservation', parseRamBytes))
    .option('--memory-swap <bytes>', 'Swap limit equal to memory plus swap: -1 to enable unlimited swap', flag('--memory-swap', swapBytes))
    .option('--pids-limit <int>', 'Tune container pids limit (set -1 for unlimited)', flag('--pids-limit', integer(64, false)))
    .option('--restart <string>', 'Restart policy to apply when a container exits');
  cmd.addOption(new Option('--kernel-memory <bytes>', 'Kernel memory limit (deprecated)').hideHelp().argParser(flag('--kernel-memory', parseRamBytes)));
  return cmd.action(async (names: string[], f: UpdateFlags) => {
    const given = cmd.options.filter((o) => cmd.getOptionValueSource(o.attributeName()) === 'cli').length;
    if (given === 0) throw new CliError(1, 'you must provide one or more flags when using this command');
    const req = updateRequest(f);
    const t = await ctx.transport();
    const warnings: string[] = [];
    const errors: string[] = [];
    for (const name of names) {
      try {
        warnings.push(...(await containerUpdate(t, name, req)));
        ctx.out(`${name}\n`);
      } catch (e) {
        errors.push(await describeError(e));
      }
    }
    if (warnings.length) ctx.out(`${warnings.join('\n')}\n`);
    if (errors.length) throw new CliError(1, errors.join('\n'));
  });
}
