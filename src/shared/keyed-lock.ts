/**
 * Per-key async mutex: callers with the same key run one at a time, in arrival order;
 * different keys never wait for each other. Entries are dropped when idle.
 *
 * @example
 *   const locks = new KeyedLock();
 *   await locks.run('sha256:abc', async () => { ... });
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  /** Run `fn` while holding `key`. */
  async run<T>(key: string, fn: () => Promise<T> | T): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const tail = prev.then(() => mine);
    this.tails.set(key, tail);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Whether anyone holds or waits for `key`. */
  isLocked(key: string): boolean {
    return this.tails.has(key);
  }
}
