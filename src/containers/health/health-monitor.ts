import type { ContainerRecord } from '../container-record.js';
import type { RunHandle, ServiceContext } from '../service-context.js';
import { probePlan, type ProbePlan } from './health-config.js';
import { applyProbeResult, startingHealth } from './health-state.js';
import type { ProbeRunner } from './probe-runner.js';

/** One container's probe loop. */
interface Loop {
  rec: ContainerRecord;
  run: RunHandle;
  plan: ProbePlan;
  timer?: NodeJS.Timeout;
  stopped: boolean;
}

/**
 * Runs the health checks of running containers (dockerd's health monitor). Lifecycle per run:
 * watch() when the container has started (or was re-adopted at boot) sets `State.Health` to
 * `starting` and schedules the first probe one interval later; each result updates the health
 * (health.ts rules), publishes `health_status: <status>` when it changes and saves the record;
 * the next probe is one interval after the previous ended. The loop ends when the run exits
 * (the exit handler marks it `unhealthy`, as dockerd does when its monitor stops), on pause
 * (suspend) and on close(); a probe that finishes after that is discarded.
 *
 * @example
 *   const monitor = new HealthMonitor(ctx, execProbeRunner(execs, () => ctx.clock.stamp()));
 *   monitor.watch(rec, ctx.runs.get(rec.id)!);
 */
export class HealthMonitor {
  private readonly loops = new Map<string, Loop>();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly probe: ProbeRunner,
  ) {}

  /** Start probing a container that has just started; a container without a healthcheck is left alone. */
  watch(rec: ContainerRecord, run: RunHandle): void {
    this.stop(rec.id);
    const plan = probePlan(rec.config);
    if (!plan) return;
    rec.state.health = startingHealth(rec.state.health);
    this.schedule(rec, run, plan);
  }

  /** Paused: probes stop and the status becomes `unhealthy` (dockerd closes its monitor). */
  suspend(rec: ContainerRecord): void {
    this.stop(rec.id);
    if (rec.state.health) rec.state.health = { ...rec.state.health, Status: 'unhealthy' };
  }

  /** Unpaused: probes resume, the status stays until the next result. */
  resume(rec: ContainerRecord): void {
    const run = this.ctx.runs.get(rec.id);
    const plan = probePlan(rec.config);
    if (!run || !plan || !rec.state.health) return;
    this.stop(rec.id);
    this.schedule(rec, run, plan);
  }

  /** Containers currently probed (tests, debugging). */
  watched(): string[] {
    return [...this.loops.keys()];
  }

  /** Stop every loop (daemon shutdown: containers keep running, probes resume at the next boot). */
  close(): void {
    for (const id of [...this.loops.keys()]) this.stop(id);
  }

  private stop(id: string): void {
    const loop = this.loops.get(id);
    if (!loop) return;
    loop.stopped = true;
    clearTimeout(loop.timer);
    this.loops.delete(id);
  }

  private schedule(rec: ContainerRecord, run: RunHandle, plan: ProbePlan): void {
    const loop: Loop = { rec, run, plan, stopped: false };
    this.loops.set(rec.id, loop);
    void run.exited.then(() => {
      if (this.loops.get(rec.id) === loop) this.stop(rec.id);
    });
    this.arm(loop);
  }

  private arm(loop: Loop): void {
    if (loop.stopped) return;
    loop.timer = setTimeout(() => void this.tick(loop), this.interval(loop));
  }

  /** The start interval (API 1.44) while `starting` inside the start period, else the interval. */
  private interval(loop: Loop): number {
    const { plan, rec } = loop;
    if (!plan.startIntervalMs) return plan.intervalMs;
    const inStart = this.ctx.clock.now() - Date.parse(rec.state.startedAt) < plan.startPeriodMs;
    return inStart && rec.state.health?.Status === 'starting' ? plan.startIntervalMs : plan.intervalMs;
  }

  private async tick(loop: Loop): Promise<void> {
    const { rec, run, plan } = loop;
    if (loop.stopped || run.finished || this.ctx.records.get(rec.id) !== rec) return this.stop(rec.id);
    let result;
    try {
      result = await this.probe(rec, plan);
    } catch (err) {
      this.ctx.log.warn('health check failed to run', { id: rec.id, err });
    }
    if (loop.stopped || run.finished) return;
    if (result && rec.state.health) {
      const before = rec.state.health.Status;
      rec.state.health = applyProbeResult(rec.state.health, result, {
        retries: plan.retries,
        startPeriodMs: plan.startPeriodMs,
        startedAtMs: Date.parse(rec.state.startedAt),
      });
      await this.ctx.save(rec).catch((err: unknown) => this.ctx.log.warn('failed to save health state', { id: rec.id, err }));
      const now = rec.state.health.Status;
      if (now !== before) this.ctx.emit(rec, `health_status: ${now}`);
    }
    this.arm(loop);
  }
}
