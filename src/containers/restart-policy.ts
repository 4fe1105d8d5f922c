import type { RestartPolicy } from '../api/types.js';

/** Docker's restart manager: 100 ms doubling, capped at 1 minute, reset after 10 s of running. */
export const MAX_BACKOFF_MS = 60_000;
export const RESET_AFTER_MS = 10_000;

export interface RestartFacts {
  policy: RestartPolicy | undefined;
  exitCode: number;
  restartCount: number;
  /** Stopped by stop/kill/rm: never restart. */
  manuallyStopped: boolean;
}

/**
 * Whether a container that just exited should be restarted.
 * @example shouldRestart({ policy: { Name: 'on-failure', MaximumRetryCount: 2 }, exitCode: 1, restartCount: 0, manuallyStopped: false }) // true
 */
export function shouldRestart(f: RestartFacts): boolean {
  if (f.manuallyStopped) return false;
  switch (f.policy?.Name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure': {
      const max = f.policy.MaximumRetryCount ?? 0;
      return f.exitCode !== 0 && (max === 0 || f.restartCount < max);
    }
    default:
      return false;
  }
}

/** Next backoff delay given the previous one and how long the container ran. */
export function nextDelay(prevMs: number | undefined, ranMs: number, baseMs: number): number {
  if (prevMs === undefined || ranMs >= RESET_AFTER_MS) return baseMs;
  return Math.min(prevMs * 2, MAX_BACKOFF_MS);
}

/**
 * Whether berthd's boot starts a stopped container again (dockerd's restore: the restart
 * manager asked about its last exit). `always` even after a manual stop; `unless-stopped`
 * unless stopped by the user; `on-failure` after a non-zero exit within its retries (a manual
 * stop does not count, as in dockerd). Never a container that was never started.
 *
 * @example restartsAtBoot({ Name: 'on-failure' }, { status: 'exited', exitCode: 137, restartCount: 0, manuallyStopped: true }) // true
 */
export function restartsAtBoot(
  policy: RestartPolicy | undefined,
  s: { status: string; exitCode: number; restartCount: number; manuallyStopped: boolean },
): boolean {
  if (s.status !== 'exited') return false;
  if (policy?.Name === 'unless-stopped') return !s.manuallyStopped;
  return shouldRestart({ policy, exitCode: s.exitCode, restartCount: s.restartCount, manuallyStopped: false });
}
