import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { conflict, EngineError } from '../shared/errors.js';
import type { ContainerRecord } from './container-record.js';

/** `GET /containers/{id}/top` body. */
export interface TopResult {
  Titles: string[];
  Processes: string[][];
}

/**
 * Like dockerd: runs the host's `ps <ps_args>` (default `-ef`) and keeps the rows whose PID is
 * in the container's cgroup (found from its init process); the last column keeps its spaces.
 */
export async function containerTop(rec: ContainerRecord, psArgs: string | undefined): Promise<TopResult> {
  const s = rec.state.status;
  if (s === 'restarting') throw conflict(`Container ${rec.id} is restarting, wait until the container is running`);
  if ((s !== 'running' && s !== 'paused') || !rec.state.pid) throw conflict(`Container ${rec.id} is not running`);
  const pids = await cgroupPids(rec.state.pid);
  const args = (psArgs ?? '-ef').split(/\s+/).filter(Boolean);
  const output = await new Promise<string>((resolve, reject) => {
    execFile('ps', args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new EngineError('internal', `ps: ${(stderr || err.message).trim()}`));
      else resolve(stdout);
    });
  });
  return parsePs(output, pids);
}

/** Parses ps output, keeping rows whose PID column is in `pids`. */
export function parsePs(output: string, pids: Set<number>): TopResult {
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  const titles = (lines[0] ?? '').trim().split(/\s+/);
  const pidIndex = titles.indexOf('PID');
  if (pidIndex < 0) throw new EngineError('internal', "Couldn't find PID field in ps output");
  const processes: string[][] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (!pids.has(Number(fields[pidIndex]))) continue;
    const head = fields.slice(0, titles.length - 1);
    head.push(fields.slice(titles.length - 1).join(' '));
    processes.push(head);
  }
  return { Titles: titles, Processes: processes };
}

/** Pids in the cgroup of `pid` (v1 `pids` hierarchy or the unified one); just `pid` when unreadable. */
async function cgroupPids(pid: number): Promise<Set<number>> {
  try {
    const lines = (await readFile(`/proc/${pid}/cgroup`, 'utf8')).split('\n');
    const v1 = lines.find((l) => /^\d+:pids:/.test(l));
    const v2 = lines.find((l) => l.startsWith('0::'));
    const file = v1 ? `/sys/fs/cgroup/pids${v1.split(':')[2]}/cgroup.procs` : `/sys/fs/cgroup${v2?.slice(3) ?? ''}/cgroup.procs`;
    const procs = (await readFile(file, 'utf8')).split('\n').filter(Boolean).map(Number);
    return new Set(procs.length ? procs : [pid]);
  } catch {
    return new Set([pid]);
  }
}
