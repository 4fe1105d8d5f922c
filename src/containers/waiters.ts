import type { ContainerWaitResponse } from '../api/types.js';
import type { WaitCondition } from './container-service.js';

interface Waiter {
  condition: WaitCondition;
  resolve(r: ContainerWaitResponse): void;
}

/**
 * Pending `wait` calls per container. Exits wake `not-running` and `next-exit` waiters;
 * removal wakes everyone (a removed container will not exit again).
 */
export class Waiters {
  private readonly byId = new Map<string, Set<Waiter>>();
  private pending = 0;
  /** Keeps the event loop alive while someone waits (exit watchers are unref'd). */
  private keepAlive: NodeJS.Timeout | undefined;

  private track(delta: number): void {
    this.pending += delta;
    if (this.pending > 0 && !this.keepAlive) this.keepAlive = setInterval(() => {}, 1 << 30);
    if (this.pending === 0 && this.keepAlive) {
      clearInterval(this.keepAlive);
      this.keepAlive = undefined;
    }
  }

  add(id: string, condition: WaitCondition, signal?: AbortSignal): Promise<ContainerWaitResponse> {
    return new Promise((resolve, reject) => {
      const set = this.byId.get(id) ?? new Set<Waiter>();
      this.byId.set(id, set);
      const w: Waiter = {
        condition,
        resolve: (r) => {
          signal?.removeEventListener('abort', onAbort);
          this.track(-1);
          resolve(r);
        },
      };
      const onAbort = (): void => {
        if (set.delete(w)) this.track(-1);
        reject(signal?.reason ?? new Error('wait aborted'));
      };
      if (signal?.aborted) return reject(signal.reason ?? new Error('wait aborted'));
      signal?.addEventListener('abort', onAbort, { once: true });
      set.add(w);
      this.track(1);
    });
  }

  exited(id: string, exitCode: number): void {
    this.fire(id, exitCode, (c) => c !== 'removed');
  }

  removed(id: string, exitCode: number): void {
    this.fire(id, exitCode, () => true);
    this.byId.delete(id);
  }

  count(id: string): number {
    return this.byId.get(id)?.size ?? 0;
  }

  private fire(id: string, code: number, which: (c: WaitCondition) => boolean): void {
    const set = this.byId.get(id);
    if (!set) return;
    for (const w of [...set]) {
      if (!which(w.condition)) continue;
      set.delete(w);
      w.resolve({ StatusCode: code });
    }
  }
}
