/**
 * Runs up to `limit` file writes at once while the caller keeps reading the archive; the
 * first failure is kept and thrown by the next `add` or by `drain`.
 *
 * @example const pool = new WritePool(16); await pool.add(() => writeFile(p, data)); await pool.drain();
 */
export class WritePool {
  private readonly running = new Set<Promise<void>>();
  private failure: { err: unknown } | undefined;

  constructor(private readonly limit: number) {}

  async add(job: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit) await Promise.race(this.running);
    this.check();
    const p: Promise<void> = job()
      .catch((err: unknown) => {
        this.failure ??= { err };
      })
      .then(() => {
        this.running.delete(p);
      });
    this.running.add(p);
  }

  /** Wait for every write; throws the first failure. */
  async drain(): Promise<void> {
    await Promise.all(this.running);
    this.check();
  }

  /** Wait for every write, ignoring failures (before cleaning up after an error). */
  async settle(): Promise<void> {
    await Promise.all(this.running);
  }

  private check(): void {
    if (this.failure) throw this.failure.err;
  }
}
