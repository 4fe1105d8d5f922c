import { readFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import type { ContainerRecord } from './container-record.js';
import { isoTime } from '../shared/iso-time.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';
/** USER_HZ: /proc/stat and cpuacct.stat count in 1/100 s. */
const TICK_NS = 10_000_000;

/** CPU counters of one sample (Docker's cpu_stats). */
interface CpuStats {
  cpu_usage: { total_usage: number; percpu_usage?: number[]; usage_in_kernelmode: number; usage_in_usermode: number };
  system_cpu_usage?: number;
  online_cpus?: number;
  throttling_data: { periods: number; throttled_periods: number; throttled_time: number };
}

/** One `GET /containers/{id}/stats` object (Docker's StatsJSON, Linux fields). */
export interface StatsSample {
  read: string;
  preread: string;
  pids_stats: { current?: number; limit?: number };
  blkio_stats: Record<string, Array<{ major: number; minor: number; op: string; value: number }> | null>;
  num_procs: number;
  storage_stats: Record<string, never>;
  cpu_stats: CpuStats;
  precpu_stats: CpuStats;
  memory_stats: { usage?: number; max_usage?: number; stats?: Record<string, number>; limit?: number };
  /** Per interface of the container's namespace (running containers with a network). */
  networks?: Record<string, NetStats>;
  name: string;
  id: string;
}

/** Docker's per-interface network counters. */
export interface NetStats {
  rx_bytes: number;
  rx_packets: number;
  rx_errors: number;
  rx_dropped: number;
  tx_bytes: number;
  tx_packets: number;
  tx_errors: number;
  tx_dropped: number;
}

/** `/proc/<pid>/net/dev` of the container's init: its namespace's interfaces (lo left out, as Docker does). */
export async function readNetStats(pid: number): Promise<Record<string, NetStats> | undefined> {
  const text = await readFile(`/proc/${pid}/net/dev`, 'utf8').catch(() => undefined);
  if (!text) return undefined;
  const out: Record<string, NetStats> = {};
  for (const line of text.split('\n').slice(2)) {
    const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
    if (!m || m[1] === 'lo') continue;
    const f = m[2].trim().split(/\s+/).map(Number);
    out[m[1]] = { rx_bytes: f[0], rx_packets: f[1], rx_errors: f[2], rx_dropped: f[3], tx_bytes: f[8], tx_packets: f[9], tx_errors: f[10], tx_dropped: f[11] };
  }
  return Object.keys(out).length ? out : undefined;
}

const emptyCpu = (): CpuStats => ({ cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } });

/** The stats of a container that does not run: zero counters, like dockerd. */
export function emptyStats(rec: ContainerRecord): StatsSample {
  return {
    read: ZERO_TIME,
    preread: ZERO_TIME,
    pids_stats: {},
    blkio_stats: { io_service_bytes_recursive: null, io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null, io_wait_time_recursive: null, io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: emptyCpu(),
    precpu_stats: emptyCpu(),
    memory_stats: {},
    name: rec.name,
    id: rec.id,
  };
}

/** Reads one sample from the container's cgroup (v1 hierarchies, or v2 when unified). `prev` fills precpu/preread. */
export async function sampleStats(rec: ContainerRecord, prev?: StatsSample): Promise<StatsSample> {
  const s = emptyStats(rec);
  const dirs = await cgroupDirs(rec.state.pid);
  const text = (ctrl: string, file: string): Promise<string | undefined> => readFile(`/sys/fs/cgroup/${ctrl}${dirs[ctrl] ?? ''}/${file}`, 'utf8').catch(() => undefined);
  const num = async (ctrl: string, file: string): Promise<number | undefined> => {
    const t = await text(ctrl, file);
    return t === undefined || !/^\d+/.test(t.trim()) ? undefined : Number(t.trim());
  };
  const [usage, maxUsage, limit, memStat, cpuUsage, perCpu, cpuacctStat, cpuStat, pids, pidsMax, blkio, procStat] = await Promise.all([
    num('memory', 'memory.usage_in_bytes'),
    num('memory', 'memory.max_usage_in_bytes'),
    num('memory', 'memory.limit_in_bytes'),
    text('memory', 'memory.stat'),
    num('cpuacct', 'cpuacct.usage'),
    text('cpuacct', 'cpuacct.usage_percpu'),
    text('cpuacct', 'cpuacct.stat'),
    text('cpu', 'cpu.stat'),
    num('pids', 'pids.current'),
    text('pids', 'pids.max'),
    text('blkio', 'blkio.throttle.io_service_bytes'),
    readFile('/proc/stat', 'utf8').catch(() => ''),
  ]);
  s.read = isoTime();
  s.memory_stats = { usage, max_usage: maxUsage, stats: keyValues(memStat), limit: limit === undefined || limit > totalmem() ? totalmem() : limit };
  const acct = keyValues(cpuacctStat);
  const thr = keyValues(cpuStat);
  s.cpu_stats = {
    cpu_usage: {
      total_usage: cpuUsage ?? 0,
      percpu_usage: perCpu?.trim().split(/\s+/).filter(Boolean).map(Number),
      usage_in_kernelmode: (acct.system ?? 0) * TICK_NS,
      usage_in_usermode: (acct.user ?? 0) * TICK_NS,
    },
    system_cpu_usage: systemCpu(procStat),
    online_cpus: cpus().length,
    throttling_data: { periods: thr.nr_periods ?? 0, throttled_periods: thr.nr_throttled ?? 0, throttled_time: thr.throttled_time ?? 0 },
  };
  s.pids_stats = { current: pids, ...(pidsMax && /^\d+$/.test(pidsMax.trim()) ? { limit: Number(pidsMax.trim()) } : {}) };
  s.blkio_stats.io_service_bytes_recursive = blkioEntries(blkio);
  if (rec.hostConfig.NetworkMode !== 'host' && rec.hostConfig.NetworkMode !== 'none') {
    const nets = await readNetStats(rec.state.pid);
    if (nets) s.networks = nets;
  }
  if (prev) {
    s.precpu_stats = prev.cpu_stats;
    s.preread = prev.read;
  }
  return s;
}

/** `<controller> -> <path>` from /proc/<pid>/cgroup (v1 lines; the v2 path is used for every controller). */
async function cgroupDirs(pid: number): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const raw = await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => '');
  for (const line of raw.split('\n')) {
    const [, ctrls, path] = line.split(':');
    if (ctrls === undefined || path === undefined) continue;
    for (const c of ctrls.split(',')) if (c) out[c] = path;
  }
  return out;
}

function keyValues(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

/** Host CPU time in ns from the `cpu` line of /proc/stat. */
function systemCpu(procStat: string): number | undefined {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const ticks = line.trim().split(/\s+/).slice(1, 8).reduce((n, v) => n + Number(v), 0);
  return ticks * TICK_NS;
}

function blkioEntries(text: string | undefined): StatsSample['blkio_stats'][string] {
  const out: Array<{ major: number; minor: number; op: string; value: number }> = [];
  for (const line of (text ?? '').split('\n')) {
    const m = /^(\d+):(\d+) (\w+) (\d+)$/.exec(line.trim());
    if (m) out.push({ major: Number(m[1]), minor: Number(m[2]), op: m[3], value: Number(m[4]) });
  }
  return out.length ? out : null;
}
