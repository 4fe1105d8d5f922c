/**
 * A push-driven async iterable with a soft byte limit: the producer checks `full` and stops
 * reading its source until `onDrain` fires. `end()` lets the consumer finish what is queued.
 */
export class ChunkQueue<T extends { data: Buffer }> implements AsyncIterable<T> {
  private items: T[] = [];
  private bytes = 0;
  private done = false;
  private error: unknown;
  private waiter: (() => void) | undefined;
  onDrain: (() => void) | undefined;

  constructor(private readonly highWater = 1 << 20) {}

  get full(): boolean {
    return this.bytes >= this.highWater;
  }

  get ended(): boolean {
    return this.done;
  }

  push(item: T): void {
    if (this.done) return;
    this.items.push(item);
    this.bytes += item.data.length;
    this.wake();
  }

  end(err?: unknown): void {
    if (this.done) return;
    this.done = true;
    this.error = err;
    this.wake();
  }

  /** Drop what is queued and end (detach). */
  abort(): void {
    this.items = [];
    this.bytes = 0;
    this.end();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = this.items.shift();
      if (item) {
        const wasFull = this.full;
        this.bytes -= item.data.length;
        if (wasFull && !this.full) this.onDrain?.();
        yield item;
        continue;
      }
      if (this.done) {
        if (this.error) throw this.error;
        return;
      }
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }
}
