/**
 * Batches chunks into ~1 MiB writes and keeps one write in flight while the next batch
 * fills, so a download keeps reading its socket while the previous bytes reach the disk.
 * Writes stay in order (one at a time); a failed write fails the next push or flush.
 *
 * @example
 *   const out = new WriteBehind(ingest);
 *   for await (const c of res) await out.push(c);
 *   await out.flush();
 */
export class WriteBehind {
  private parts: Buffer[] = [];
  private len = 0;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly target: { write(chunk: Uint8Array): Promise<void> },
    private readonly batch = 1 << 20,
  ) {}

  async push(chunk: Buffer): Promise<void> {
    this.parts.push(chunk);
    this.len += chunk.length;
    if (this.len >= this.batch) await this.kick();
  }

  /** Writes what is batched and waits for every write to land. */
  async flush(): Promise<void> {
    if (this.len) await this.kick();
    await this.pending;
  }

  private async kick(): Promise<void> {
    await this.pending;
    const buf = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.len);
    this.parts = [];
    this.len = 0;
    this.pending = this.target.write(buf);
    this.pending.catch(() => undefined);
  }
}
