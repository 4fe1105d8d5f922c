/**
 * Bounded background work keyed by path: spawn() waits for a free slot, waitFor() waits
 * for the task on one path, barrier() for all. The first failure is rethrown by the next call.
 */
export class TaskPool {
  private readonly byKey = new Map<string, Promise<void>>();
  private readonly running = new Set<Promise<void>>();
  private failure: { err: unknown } | undefined;

  constructor(private readonly limit: number) {}

  async spawn(key: string, fn: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    this.check();
    const p: Promise<void> = fn()
      .catch((err: unknown) => {
        this.failure ??= { err };
      })
      .finally(() => {
        this.running.delete(p);
        if (this.byKey.get(key) === p) this.byKey.delete(key);
      });
    this.running.add(p);
    this.byKey.set(key, p);
  }

  async waitFor(key: string): Promise<void> {
    const p = this.byKey.get(key);
    if (p) await p;
    this.check();
  }

  async barrier(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
    this.check();
  }

  private check(): void {
    if (this.failure) throw this.failure.err;
  }
}
