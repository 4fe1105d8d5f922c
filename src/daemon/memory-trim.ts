import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** What the trimmer reads and does; the real ones come from {@link processMemoryPorts}. */
export interface MemoryPorts {
  /** Resident set size in bytes. */
  rss(): number;
  /** Share of time (0..1) the event loop was busy since the previous call. */
  busy(): number;
  /** A full, synchronous, compacting garbage collection. */
  gc(): void;
  /** Give free malloc pages back to the system (malloc_trim). */
  trim(): void;
}

export interface MemoryTrimOptions {
  /** How often RSS and loop load are sampled (ms). */
  intervalMs: number;
  /** RSS growth since the last trim that asks for the next one (bytes). */
  growthBytes: number;
  /** A sample counts as idle when the loop was busy less than this share of the interval. */
  idleBelow: number;
  /** Idle samples in a row before a trim. */
  idleSamples: number;
}

export const DEFAULT_TRIM_OPTIONS: MemoryTrimOptions = { intervalMs: 2500, growthBytes: 4 << 20, idleBelow: 0.05, idleSamples: 2 };

/**
 * Gives memory back after a burst. V8 grows its heap for a burst of work (50 containers, a
 * large `docker logs`) and, once the daemon goes quiet, has no reason to collect again: the
 * garbage and the grown new space stay resident, and so do the malloc arenas' free pages.
 * The trimmer samples RSS; when it grew past `growthBytes` since the last trim and the loop
 * has been idle for `idleSamples` intervals, it runs one full GC that compacts the old space
 * (V8 also shrinks the new space, the allocation rate being low by then) and malloc_trim.
 * The first idle stretch after start trims too (what boot left). Under load it never runs:
 * V8 collects on its own there.
 *
 * @example
 *   const trimmer = new MemoryTrimmer(processMemoryPorts()).start();
 *   // ... on shutdown
 *   trimmer.stop();
 */
export class MemoryTrimmer {
  private floor = 0;
  private idle = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Trims done so far (for logs and tests). */
  trims = 0;

  constructor(private readonly ports: MemoryPorts, private readonly opts: MemoryTrimOptions = DEFAULT_TRIM_OPTIONS) {}

  /** Samples every `intervalMs` on an unref'd timer. */
  start(): this {
    this.timer ??= setInterval(() => this.sample(), this.opts.intervalMs).unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One sample; returns whether it trimmed. */
  sample(): boolean {
    const busy = this.ports.busy();
    const rss = this.ports.rss();
    if (this.floor < 0) {
      // the sample after a trim: what the trim left is the new floor
      this.floor = rss;
      return false;
    }
    this.idle = busy < this.opts.idleBelow ? this.idle + 1 : 0;
    if (this.idle < this.opts.idleSamples || rss <= this.floor + (this.trims ? this.opts.growthBytes : 0)) return false;
    this.ports.gc();
    this.ports.trim();
    this.trims++;
    this.floor = -1;
    this.idle = 0;
    return true;
  }
}

/**
 * The real ports: `process.memoryUsage.rss()`, event-loop utilisation, V8's gc (exposed at run
 * time, so no node flag is needed however berthd is started) and `trim` (malloc_trim).
 */
export function processMemoryPorts(trim: () => void): MemoryPorts {
  setFlagsFromString('--expose-gc');
  const fullGc = runInNewContext('gc') as () => void;
  // V8 compacts only pages it finds fragmented enough; after a burst most are, a little.
  const gc = (): void => {
    setFlagsFromString('--compact-on-every-full-gc');
    try {
      fullGc();
    } finally {
      setFlagsFromString('--no-compact-on-every-full-gc');
    }
  };
  let last = performance.eventLoopUtilization();
  return {
    rss: () => process.memoryUsage.rss(),
    busy: () => {
      const now = performance.eventLoopUtilization();
      const share = performance.eventLoopUtilization(now, last).utilization;
      last = now;
      return share;
    },
    gc,
    trim,
  };
}
