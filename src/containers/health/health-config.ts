import type { ContainerConfig, HealthConfig } from '../../api/types.js';
import { invalid } from '../../shared/errors.js';

/** dockerd's defaults (daemon/health.go), in milliseconds. */
export const DEFAULT_INTERVAL_MS = 30_000;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_RETRIES = 3;
/** Only used when StartInterval is set (API 1.44): berth serves 1.43, where the interval applies throughout. */
export const DEFAULT_START_PERIOD_MS = 0;
/** `container.MinimumDuration`: 1ms, in nanoseconds. */
const MIN_DURATION_NS = 1_000_000;

/** How and when a container is probed, resolved from its Config.Healthcheck. */
export interface ProbePlan {
  /** argv run inside the container (CMD as given; CMD-SHELL through Config.Shell or `/bin/sh -c`). */
  cmd: string[];
  intervalMs: number;
  timeoutMs: number;
  /** As given in the config (for the timeout's message). */
  timeoutNs: number;
  retries: number;
  startPeriodMs: number;
  /** Interval while `starting` inside the start period; 0 = the normal interval. */
  startIntervalMs: number;
}

const ms = (ns: number | undefined, dflt: number): number => (ns && ns > 0 ? ns / 1e6 : dflt);

/**
 * The probe of a container, or undefined when it has none (no Healthcheck, `NONE`, an empty
 * or unknown test): such a container gets no `State.Health`, as in dockerd's getProbe().
 *
 * @example probePlan({ Healthcheck: { Test: ['CMD-SHELL', 'curl -f localhost'] } })?.cmd // ['/bin/sh', '-c', 'curl -f localhost']
 */
export function probePlan(config: ContainerConfig): ProbePlan | undefined {
  const hc = config.Healthcheck;
  const test = hc?.Test ?? [];
  if (!hc || test.length === 0) return undefined;
  let cmd: string[];
  if (test[0] === 'CMD') cmd = test.slice(1);
  else if (test[0] === 'CMD-SHELL') cmd = [...(config.Shell?.length ? config.Shell : ['/bin/sh', '-c']), ...test.slice(1)];
  else return undefined;
  if (cmd.length === 0) return undefined;
  return {
    cmd,
    intervalMs: ms(hc.Interval, DEFAULT_INTERVAL_MS),
    timeoutMs: ms(hc.Timeout, DEFAULT_TIMEOUT_MS),
    timeoutNs: hc.Timeout && hc.Timeout > 0 ? hc.Timeout : DEFAULT_TIMEOUT_MS * 1e6,
    retries: hc.Retries && hc.Retries > 0 ? hc.Retries : DEFAULT_RETRIES,
    startPeriodMs: ms(hc.StartPeriod, DEFAULT_START_PERIOD_MS),
    startIntervalMs: ms(hc.StartInterval, 0),
  };
}

/** Create-time checks with dockerd's wording (verifyContainerSettings). */
export function validateHealthConfig(hc: HealthConfig | undefined | null): void {
  if (!hc) return;
  const tooShort = (v: number | null | undefined): boolean => typeof v === 'number' && v !== 0 && v < MIN_DURATION_NS;
  if (tooShort(hc.Interval)) throw invalid('Interval in Healthcheck cannot be less than 1ms');
  if (tooShort(hc.Timeout)) throw invalid('Timeout in Healthcheck cannot be less than 1ms');
  if (typeof hc.Retries === 'number' && hc.Retries < 0) throw invalid('Retries in Healthcheck cannot be negative');
  if (tooShort(hc.StartPeriod)) throw invalid('StartPeriod in Healthcheck cannot be less than 1ms');
  if (tooShort(hc.StartInterval)) throw invalid('StartInterval in Healthcheck cannot be less than 1ms');
}

/**
 * The container's healthcheck from the user's and the image's (dockerd's merge): the image's
 * when the user gave none, else the user's with each unset field taken from the image.
 */
export function mergeHealthcheck(user: HealthConfig | undefined | null, image: HealthConfig | undefined | null): HealthConfig | undefined {
  if (!user) return image ? omitEmpty(image) : undefined;
  const out: HealthConfig = { ...user };
  if (!out.Test?.length && image?.Test) out.Test = image.Test;
  for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) {
    if (!out[k] && image?.[k]) out[k] = image[k];
  }
  return omitEmpty(out);
}

/** Zero and null fields dropped, as Go's `omitempty` shows the config. */
function omitEmpty(hc: HealthConfig): HealthConfig {
  const out: HealthConfig = {};
  if (hc.Test?.length) out.Test = hc.Test;
  for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) if (hc[k]) out[k] = hc[k];
  return out;
}

/**
 * Go's time.Duration.String() for a duration in nanoseconds: `500ms`, `1.5s`, `1m30s`, `2h0m0s`.
 * @example goDuration(500_000_000) // '500ms'
 */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let n = Math.abs(Math.round(ns));
  const sign = neg ? '-' : '';
  const frac = (v: number, unit: number): string => {
    const whole = Math.floor(v / unit);
    const rest = v % unit;
    if (rest === 0) return String(whole);
    const digits = String(unit).length - 1;
    return `${whole}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
  };
  if (n < 1000) return `${sign}${n}ns`;
  if (n < 1_000_000) return `${sign}${frac(n, 1000)}µs`;
  if (n < 1_000_000_000) return `${sign}${frac(n, 1_000_000)}ms`;
  const h = Math.floor(n / 3_600_000_000_000);
  n -= h * 3_600_000_000_000;
  const m = Math.floor(n / 60_000_000_000);
  n -= m * 60_000_000_000;
  const s = frac(n, 1_000_000_000);
  if (h > 0) return `${sign}${h}h${m}m${s}s`;
  if (m > 0) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}
