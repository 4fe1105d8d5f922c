/** Reads a context's file contents by position: a spool file's handle, or a MemorySpool. */
export interface SpoolReader {
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

const BLOCK = 4 << 20;
/** Bytes all memory spools of this process may hold together. */
let BUDGET = 512 << 20;
let held = 0;

/** Tests: another budget (returns the function that restores the old one) and what is held. */
export function memoryBudget(bytes: number): () => void {
  const old = BUDGET;
  BUDGET = bytes;
  return () => {
    BUDGET = old;
  };
}
export const memoryHeld = (): number => held;

/**
 * A build context's spool in memory (4 MiB blocks), for contexts received whole (the docker
 * CLI's tar): they live for one build only, and as a file their bytes would reach the disk
 * with the first layer commit's syncfs. Every memory spool of the process shares BUDGET;
 * `reserve` says no when it is spent (the caller spills to a file). `close` gives it back.
 *
 * @example const m = new MemorySpool(); if (m.reserve(c.length)) m.append(c); await m.read(buf, 0, n, pos);
 */
export class MemorySpool implements SpoolReader {
  private blocks: Buffer[] = [];
  private reserved = 0;
  size = 0;

  /** Room for `n` more bytes, taken from the shared budget; false when there is none. */
  reserve(n: number): boolean {
    if (held + n > BUDGET) return false;
    held += n;
    this.reserved += n;
    return true;
  }

  append(chunk: Buffer): void {
    for (let off = 0; off < chunk.length;) {
      const at = this.size % BLOCK;
      if (at === 0) this.blocks.push(Buffer.allocUnsafe(BLOCK));
      const n = chunk.copy(this.blocks[this.blocks.length - 1]!, at, off);
      off += n;
      this.size += n;
    }
  }

  /** Every byte so far, block by block (to spill into a file). */
  *chunks(): Generator<Buffer> {
    for (let i = 0; i < this.blocks.length; i++) yield this.blocks[i]!.subarray(0, Math.min(BLOCK, this.size - i * BLOCK));
  }

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }> {
    let done = 0;
    while (done < length && position + done < this.size) {
      const pos = position + done;
      const block = this.blocks[Math.floor(pos / BLOCK)]!;
      const from = pos % BLOCK;
      const n = Math.min(length - done, BLOCK - from, this.size - pos);
      block.copy(buffer, offset + done, from, from + n);
      done += n;
    }
    return { bytesRead: done };
  }

  async close(): Promise<void> {
    this.blocks = [];
    held -= this.reserved;
    this.reserved = 0;
  }
}
