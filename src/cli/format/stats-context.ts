import type { StatsSample } from '../../api-client/container-stats.js';
import { STRICT } from './go-template.js';
import { bytesSize, humanSize } from './units.js';

/** Default `stats` table (Linux daemons) and the Windows one. */
export const STATS_TABLE = '{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';
export const STATS_TABLE_WINDOWS = '{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.NetIO}}\t{{.BlockIO}}';

/** Column headers of `stats` (`MemUsage` reads `PRIV WORKING SET` for Windows daemons). */
export function statsHeaders(osType: string): Record<string, string> {
  return {
    Container: 'CONTAINER',
    Name: 'NAME',
    ID: 'CONTAINER ID',
    CPUPerc: 'CPU %',
    MemUsage: osType === 'windows' ? 'PRIV WORKING SET' : 'MEM USAGE / LIMIT',
    MemPerc: 'MEM %',
    NetIO: 'NET I/O',
    BlockIO: 'BLOCK I/O',
    PIDs: 'PIDS',
  };
}

/** What `docker stats` keeps per container (its `StatsEntry`). */
export interface StatsEntry {
  /** The name or short id the user (or the listing) gave. */
  container: string;
  name: string;
  id: string;
  cpuPercentage: number;
  memory: number;
  memoryLimit: number;
  memoryPercentage: number;
  networkRx: number;
  networkTx: number;
  blockRead: number;
  blockWrite: number;
  pidsCurrent: number;
  isInvalid: boolean;
}

/** An entry with nothing measured yet. */
export function emptyEntry(container: string): StatsEntry {
  return { container, name: '', id: '', cpuPercentage: 0, memory: 0, memoryLimit: 0, memoryPercentage: 0, networkRx: 0, networkTx: 0, blockRead: 0, blockWrite: 0, pidsCurrent: 0, isInvalid: false };
}

/** One sample → the entry's numbers, with docker's formulas (cache-less memory, CPU delta × online CPUs). */
export function entryFromSample(container: string, v: StatsSample, osType: string): StatsEntry {
  const e = emptyEntry(container);
  e.name = v.name ?? '';
  e.id = v.id ?? '';
  if (osType !== 'windows') {
    e.cpuPercentage = cpuPercentUnix(v);
    [e.blockRead, e.blockWrite] = blockIO(v);
    e.memory = memUsageNoCache(v.memory_stats ?? {});
    e.memoryLimit = v.memory_stats?.limit ?? 0;
    e.memoryPercentage = e.memoryLimit !== 0 ? (e.memory / e.memoryLimit) * 100 : 0;
    e.pidsCurrent = v.pids_stats?.current ?? 0;
  } else {
    e.cpuPercentage = cpuPercentWindows(v);
    e.blockRead = v.storage_stats?.read_size_bytes ?? 0;
    e.blockWrite = v.storage_stats?.write_size_bytes ?? 0;
    e.memory = v.memory_stats?.privateworkingset ?? 0;
  }
  for (const n of Object.values(v.networks ?? {})) {
    e.networkRx += n.rx_bytes ?? 0;
    e.networkTx += n.tx_bytes ?? 0;
  }
  return e;
}

function cpuPercentUnix(v: StatsSample): number {
  const cpuDelta = (v.cpu_stats?.cpu_usage?.total_usage ?? 0) - (v.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (v.cpu_stats?.system_cpu_usage ?? 0) - (v.precpu_stats?.system_cpu_usage ?? 0);
  let online = v.cpu_stats?.online_cpus ?? 0;
  if (online === 0) online = v.cpu_stats?.cpu_usage?.percpu_usage?.length ?? 0;
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * online * 100 : 0;
}

function cpuPercentWindows(v: StatsSample): number {
  const ns = (Date.parse(v.read ?? '') - Date.parse(v.preread ?? '')) * 1e6;
  const possible = Number.isFinite(ns) && ns > 0 ? Math.trunc(ns / 100) * (v.num_procs ?? 0) : 0;
  const used = (v.cpu_stats?.cpu_usage?.total_usage ?? 0) - (v.precpu_stats?.cpu_usage?.total_usage ?? 0);
  return possible > 0 ? (used / possible) * 100 : 0;
}

function blockIO(v: StatsSample): [number, number] {
  let read = 0;
  let write = 0;
  for (const b of v.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = b.op?.[0];
    if (op === 'r' || op === 'R') read += b.value;
    else if (op === 'w' || op === 'W') write += b.value;
  }
  return [read, write];
}

function memUsageNoCache(m: NonNullable<StatsSample['memory_stats']>): number {
  const usage = m.usage ?? 0;
  const stats = m.stats ?? {};
  const v1 = stats.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = stats.inactive_file ?? 0;
  if (v2 < usage) return usage - v2;
  return usage;
}

const percent = (v: number): string => `${v.toFixed(2)}%`;

/**
 * The values `stats --format` sees for one entry (docker's statsContext); `{{json .}}` gives
 * docker's keys in its (sorted) order.
 */
export function statsContext(s: StatsEntry, osType: string, trunc: boolean): Record<string, unknown> {
  const win = osType === 'windows';
  const ctx: Record<string, unknown> = {
    BlockIO: s.isInvalid ? '--' : `${humanSize(s.blockRead)} / ${humanSize(s.blockWrite)}`,
    CPUPerc: s.isInvalid ? '--' : percent(s.cpuPercentage),
    Container: s.container,
    ID: trunc ? s.id.slice(0, 12) : s.id,
    MemPerc: s.isInvalid || win ? '--' : percent(s.memoryPercentage),
    MemUsage: s.isInvalid ? '-- / --' : win ? bytesSize(s.memory) : `${bytesSize(s.memory)} / ${bytesSize(s.memoryLimit)}`,
    Name: s.name.length > 1 ? s.name.slice(1) : '--',
    NetIO: s.isInvalid ? '--' : `${humanSize(s.networkRx)} / ${humanSize(s.networkTx)}`,
    PIDs: s.isInvalid || win ? '--' : String(s.pidsCurrent),
  };
  Object.defineProperty(ctx, STRICT, { value: true, enumerable: false });
  return ctx;
}
