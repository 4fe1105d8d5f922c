import type { Readable } from 'node:stream';
import { jsonMessages } from './json-stream.js';
import type { Transport } from './transport.js';

/** GET /containers/{id}/top reply. */
export interface TopResult {
  Titles: string[];
  Processes: string[][] | null;
}

/** One sample of GET /containers/{id}/stats (the fields `docker stats` reads). */
export interface StatsSample {
  read?: string;
  preread?: string;
  name?: string;
  id?: string;
  pids_stats?: { current?: number };
  blkio_stats?: { io_service_bytes_recursive?: { op: string; value: number }[] | null };
  cpu_stats?: CpuStats;
  precpu_stats?: CpuStats;
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number>; privateworkingset?: number };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  num_procs?: number;
  storage_stats?: { read_size_bytes?: number; write_size_bytes?: number };
}

export interface CpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] | null };
  system_cpu_usage?: number;
  online_cpus?: number;
}

/** GET /containers/{id}/top with docker's `ps_args` (the arguments joined by spaces). */
export async function containerTop(t: Transport, id: string, psArgs: string[] = []): Promise<TopResult> {
  return t.json(`/containers/${encodeURIComponent(id)}/top`, { query: { ps_args: psArgs.length ? psArgs.join(' ') : undefined } });
}

/**
 * GET /containers/{id}/stats: samples as they come (`stream`), or one (`stream=false`).
 * `osType` is the daemon's `Ostype` header.
 */
export async function containerStats(
  t: Transport,
  id: string,
  opts: { stream: boolean; signal?: AbortSignal },
): Promise<{ osType: string; samples: AsyncGenerator<StatsSample> }> {
  const res = await t.request(`/containers/${encodeURIComponent(id)}/stats`, { query: { stream: opts.stream ? '1' : '0' }, signal: opts.signal });
  const os = res.headers.ostype;
  return { osType: (Array.isArray(os) ? os[0] : os) ?? '', samples: jsonMessages<StatsSample>(res as Readable) };
}
