import { Option } from 'commander';
import type { HealthConfig } from '../../../api/types.js';
import { int } from '../../argv.js';
import { CliError } from '../../cli-error.js';
import { flagError } from '../../opts/validators.js';

/** The `--health-*` flags of `run`/`create` (durations in nanoseconds); commander stores --no-healthcheck as `healthcheck: false`. */
export interface HealthFlags {
  healthcheck?: boolean;
  healthCmd?: string;
  healthInterval?: number;
  healthTimeout?: number;
  healthRetries?: number;
  healthStartPeriod?: number;
  healthStartInterval?: number;
  noHealthcheck?: boolean;
}

const UNITS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/**
 * Go's time.ParseDuration, in nanoseconds: `300ms`, `1.5s`, `1m30s`, `0`.
 * @example parseGoDuration('1m30s') // 90_000_000_000
 */
export function parseGoDuration(s: string): number {
  const quoted = JSON.stringify(s);
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') throw new Error(`time: invalid duration ${quoted}`);
  let total = 0;
  while (rest !== '') {
    const num = /^(\d*)(\.(\d*))?/.exec(rest)!;
    if (num[0] === '' || num[0] === '.') throw new Error(`time: invalid duration ${quoted}`);
    rest = rest.slice(num[0].length);
    const unit = /^[^\d.]*/.exec(rest)![0];
    if (unit === '') throw new Error(`time: missing unit in duration ${quoted}`);
    const mult = UNITS[unit];
    if (mult === undefined) throw new Error(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    total += Number(num[0]) * mult;
    rest = rest.slice(unit.length);
  }
  return sign * Math.round(total);
}

const duration =
  (flag: string) =>
  (v: string): number => {
    try {
      return parseGoDuration(v);
    } catch (e) {
      throw flagError(flag, v, (e as Error).message);
    }
  };

/**
 * Docker's health flags in help order (`--health-start-interval` is hidden: berthd serves API
 * 1.43); `run`/`create` declare them after `--group-add`, and noHealthcheckOption() after `--network-alias`.
 */
export function healthOptions(): Option[] {
  return [
    new Option('--health-cmd <string>', 'Command to run to check health'),
    new Option('--health-interval <duration>', 'Time between running the check (ms|s|m|h) (default 0s)').argParser(duration('--health-interval')),
    new Option('--health-retries <int>', 'Consecutive failures needed to report unhealthy').argParser(int),
    new Option('--health-start-interval <duration>', 'Time between running the check during the start period (ms|s|m|h) (default 0s)').hideHelp().argParser(duration('--health-start-interval')),
    new Option('--health-start-period <duration>', 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)').argParser(duration('--health-start-period')),
    new Option('--health-timeout <duration>', 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)').argParser(duration('--health-timeout')),
  ];
}

export function noHealthcheckOption(): Option {
  return new Option('--no-healthcheck', 'Disable any container-specified HEALTHCHECK');
}

/**
 * Config.Healthcheck from the flags, as docker's parse.go builds it: `{Test: ["NONE"]}` for
 * --no-healthcheck, `CMD-SHELL` for --health-cmd, undefined when no health flag was given.
 */
export function healthConfig(f: HealthFlags): HealthConfig | undefined {
  if (f.healthStartInterval !== undefined) throw new CliError(1, '"--health-start-interval" requires API version 1.44, but the Docker daemon API version is 1.43');
  const any = !!f.healthCmd || !!f.healthInterval || !!f.healthTimeout || !!f.healthStartPeriod || !!f.healthRetries;
  if (f.noHealthcheck || f.healthcheck === false) {
    if (any) throw new Error('--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (!any) return undefined;
  for (const [v, name] of [
    [f.healthInterval, 'interval'],
    [f.healthTimeout, 'timeout'],
    [f.healthRetries, 'retries'],
    [f.healthStartPeriod, 'start-period'],
  ] as const) {
    if ((v ?? 0) < 0) throw new Error(`--health-${name} cannot be negative`);
  }
  // Go's omitempty: unset fields are left out of the body
  const hc: HealthConfig = {};
  if (f.healthCmd) hc.Test = ['CMD-SHELL', f.healthCmd];
  if (f.healthInterval) hc.Interval = f.healthInterval;
  if (f.healthTimeout) hc.Timeout = f.healthTimeout;
  if (f.healthStartPeriod) hc.StartPeriod = f.healthStartPeriod;
  if (f.healthRetries) hc.Retries = f.healthRetries;
  return hc;
}
