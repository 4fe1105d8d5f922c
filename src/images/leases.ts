/**
 * In-process leases on blobs and snapshots that an operation is about to publish or read
 * (load/import/pull between storing and publishing, save while streaming). Garbage
 * collection skips anything leased, so removing one image cannot pull content out from
 * under a concurrent load of another that shares it.
 *
 * @example
 *   const release = leases.acquire([configDigest, ...layerDigests, ...chainIds]);
 *   try { ...publish... } finally { release(); }
 */
export class Leases {
  private readonly held = new Map<string, number>();

  /** Leases every key (counted); returns a release function that is safe to call twice. */
  acquire(keys: Iterable<string>): () => void {
    const mine = [...keys];
    for (const k of mine) this.held.set(k, (this.held.get(k) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const k of mine) {
        const n = (this.held.get(k) ?? 1) - 1;
        if (n <= 0) this.held.delete(k);
        else this.held.set(k, n);
      }
    };
  }

  has(key: string): boolean {
    return this.held.has(key);
  }
}
