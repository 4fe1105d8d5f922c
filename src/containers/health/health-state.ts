import type { Health, HealthcheckResult } from '../../api/types.js';

/** dockerd keeps the last five probes in `State.Health.Log`. */
export const MAX_LOG_ENTRIES = 5;
/** dockerd keeps the first 4096 bytes of a probe's output and appends `...` when there was more. */
export const MAX_OUTPUT_LEN = 4096;

/** Health of a container being started (again): `starting`, no failures, the old log kept. */
export function startingHealth(prev: Health | undefined): Health {
  return { Status: 'starting', FailingStreak: 0, Log: prev?.Log ?? [] };
}

/** What a probe's result is judged against. */
export interface ProbeContext {
  retries: number;
  startPeriodMs: number;
  /** When the container started (ms since the epoch). */
  startedAtMs: number;
}

/**
 * dockerd's handleProbeResult: append to the log (last five), exit 0 = healthy and the streak
 * resets; any other exit counts as a failure unless the container is still `starting` inside its
 * start period; `retries` consecutive failures make it unhealthy. Returns the new health.
 *
 * @example applyProbeResult(startingHealth(undefined), { ExitCode: 0, ... }, ctx).Status // 'healthy'
 */
export function applyProbeResult(h: Health, result: HealthcheckResult, ctx: ProbeContext): Health {
  const log = [...h.Log, result].slice(-MAX_LOG_ENTRIES);
  if (result.ExitCode === 0) return { Status: 'healthy', FailingStreak: 0, Log: log };
  const inStartPeriod = h.Status === 'starting' && Date.parse(result.Start) - ctx.startedAtMs < ctx.startPeriodMs;
  if (inStartPeriod) return { ...h, Log: log };
  const streak = h.FailingStreak + 1;
  return { Status: streak >= ctx.retries ? 'unhealthy' : h.Status, FailingStreak: streak, Log: log };
}

/** Probe output as dockerd records it: at most 4096 bytes, `...` appended when cut. */
export class LimitedOutput {
  private readonly parts: Buffer[] = [];
  private size = 0;
  private truncated = false;

  write(data: Buffer): void {
    const keep = Math.min(MAX_OUTPUT_LEN - this.size, data.length);
    if (keep > 0) {
      this.parts.push(keep === data.length ? data : data.subarray(0, keep));
      this.size += keep;
    }
    if (keep < data.length) this.truncated = true;
  }

  toString(): string {
    const out = Buffer.concat(this.parts).toString('utf8');
    return this.truncated ? `${out}...` : out;
  }
}

/** The health part of `docker ps`'s status: `health: starting`, `healthy`, `unhealthy`. */
export function healthText(h: Health): string {
  return h.Status === 'starting' ? 'health: starting' : h.Status;
}

/** Values of the `health` filter of `docker ps`. */
export const HEALTH_FILTER_VALUES = ['starting', 'healthy', 'unhealthy', 'none'] as const;

/** The `health` filter's value for a container: its status, or `none` without a health state. */
export function healthFilterValue(h: Health | undefined): string {
  return h ? h.Status : 'none';
}
