import type { RuntimeStateRecord } from './container-record.js';
import { ZERO_TIME } from './container-record.js';
import { healthText } from './health/health-state.js';

/** Docker's units.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(ms / 60000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3600000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3600000 / 24 / 365)} years`;
}

const since = (t: string, now: number): number => now - Date.parse(t);

/**
 * The `Status` column of `docker ps`, as Docker's State.String() renders it.
 * @example statusText({status:'exited', exitCode: 0, finishedAt: ...}, now) // 'Exited (0) 2 minutes ago'
 */
export function statusText(s: RuntimeStateRecord, now: number): string {
  switch (s.status) {
    case 'running':
      return `Up ${humanDuration(since(s.startedAt, now))}${s.health ? ` (${healthText(s.health)})` : ''}`;
    case 'paused':
      return `Up ${humanDuration(since(s.startedAt, now))} (Paused)`;
    case 'restarting':
      return `Restarting (${s.exitCode}) ${humanDuration(since(s.finishedAt, now))} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    default:
      if (s.startedAt === ZERO_TIME) return 'Created';
      if (s.finishedAt === ZERO_TIME) return '';
      return `Exited (${s.exitCode}) ${humanDuration(since(s.finishedAt, now))} ago`;
  }
}

/** The `Command` column: path and args, args with spaces in single quotes (Docker's list.go). */
export function commandString(path: string, args: string[]): string {
  if (args.length === 0) return path;
  return `${path} ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`;
}

/** Docker prints RFC3339Nano with trailing zero fractions dropped. */
export function trimStamp(stamp: string): string {
  return stamp.replace(/\.0+Z$/, 'Z').replace(/(\.\d*?)0+Z$/, '$1Z');
}
