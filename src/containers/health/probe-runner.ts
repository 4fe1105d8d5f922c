import { readdirSync, readFileSync } from 'node:fs';
import type { HealthcheckResult } from '../../api/types.js';
import type { ContainerRecord } from '../container-record.js';
import type { ExecManager } from '../exec-service.js';
import { goDuration, type ProbePlan } from './health-config.js';
import { LimitedOutput } from './health-state.js';

/** Runs one probe of a running container and reports it as a `State.Health.Log` entry. */
export type ProbeRunner = (rec: ContainerRecord, plan: ProbePlan) => Promise<HealthcheckResult>;

/** How long a killed probe may take to report its end before the monitor moves on. */
const REAP_GRACE_MS = 2000;

const delay = (ms: number): Promise<'timeout'> => new Promise((r) => setTimeout(() => r('timeout'), ms).unref());

/**
 * Probes through the exec path, as dockerd does: an exec (events exec_create/exec_start/exec_die)
 * with the container's process settings, stdout and stderr together, 4096 bytes kept. A probe
 * still running at its timeout is killed (with its children) and recorded with exit code -1 and
 * `Health check exceeded timeout (<timeout>)`; one that cannot start gets -1 and the error.
 */
export function execProbeRunner(execs: ExecManager, stamp: () => string): ProbeRunner {
  return async (rec, plan) => {
    const start = stamp();
    const done = (ExitCode: number, Output: string): HealthcheckResult => ({ Start: start, End: stamp(), ExitCode, Output });
    let execId: string | undefined;
    try {
      execId = execs.create(rec.id, { Cmd: plan.cmd, AttachStdout: true, AttachStderr: true, Tty: false }).Id;
      const id = execId;
      const out = new LimitedOutput();
      const started = execs.start(id, { detach: false });
      let detach: (() => void) | undefined;
      const run = (async (): Promise<number> => {
        const r = await started;
        if (r.error !== undefined || !r.stream) throw new Error(r.error ?? 'health check exec did not attach');
        detach = r.stream.detach;
        for await (const c of r.stream.output) out.write(c.data);
        return execs.inspect(id).ExitCode ?? -1;
      })();
      run.catch(() => {});
      const first = await Promise.race([run, delay(plan.timeoutMs)]);
      if (first !== 'timeout') return done(first, out.toString());
      await Promise.race([started, delay(REAP_GRACE_MS)]).catch(() => {});
      killTree(execs.inspect(id).Pid);
      detach?.();
      await Promise.race([run, delay(REAP_GRACE_MS)]).catch(() => {});
      return done(-1, `Health check exceeded timeout (${goDuration(plan.timeoutNs)})`);
    } catch (err) {
      return done(-1, err instanceof Error ? err.message : String(err));
    } finally {
      if (execId) execs.forget(execId);
    }
  };
}

/** SIGKILL a process and every descendant (read from /proc before the first signal). */
export function killTree(pid: number): void {
  if (!(pid > 0)) return;
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...children(all[i]!));
  for (const p of all) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function children(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8')
        .split(/\s+/)
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return [];
  }
}
