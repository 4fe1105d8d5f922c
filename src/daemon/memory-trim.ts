import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** What the trimmer reads and does; the real ones come from {@link processMemoryPorts}. */
export interface MemoryPorts {
  /** Resident set size in bytes. */
  rss(): number;
  /** Share of time (0..1) the event loop was busy since the previous call. */
  busy(): number;
  /** A full, compacting garbage collection that also shrinks the heap's spaces (may finish later). */
  gc(): void | Promise<void>;
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
 * has been idle for `idleSamples` intervals, it runs V8's low-memory collection (full GCs
 * that compact the old space and shrink the new space back to its initial size) and
 * malloc_trim.
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
  private inFlight = false;
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
    if (this.inFlight || this.idle < this.opts.idleSamples || rss <= this.floor + (this.trims ? this.opts.growthBytes : 0)) return false;
    const collected = this.ports.gc();
    if (collected) {
      // malloc_trim once the collection has freed what it frees
      this.inFlight = true;
      void collected.then(
        () => this.ports.trim(),
        () => this.ports.trim(),
      ).finally(() => (this.inFlight = false));
    } else this.ports.trim();
    this.trims++;
    this.floor = -1;
    this.idle = 0;
    return true;
  }
}

/**
 * V8's low-memory notification, reached through the in-process inspector protocol
 * (`HeapProfiler.collectGarbage`; no debugger, port or flag involved). Unlike `gc()` it
 * collects with V8's reduce-memory flag, and only that shrinks the new space: a burst grows
 * it to 16 MB, all resident, and a plain full GC with a quiet allocator leaves it so
 * (bench/memory-bench.sh: 31 MB of anonymous memory after the workload with `gc()`).
 * One session for the process's life, never disconnected: a disconnect tears down the
 * session's heap-profiler agent, and doing that while V8 still ran the collection's task
 * hung berthd for good (seen in gdb under load: the agent's destructor waiting on the lock
 * the task holds). Resolves false when the inspector is not available.
 */
let gcSession: Promise<import('node:inspector').Session | undefined> | undefined;

async function lowMemoryGc(): Promise<boolean> {
  gcSession ??= import('node:inspector').then(
    ({ Session }) => {
      const s = new Session();
      s.connect();
      return s;
    },
    () => undefined,
  ).catch(() => undefined);
  const s = await gcSession;
  if (!s) return false;
  return new Promise<boolean>((resolve) => s.post('HeapProfiler.collectGarbage', (err) => resolve(!err)));
}

/**
 * The real ports: `process.memoryUsage.rss()`, event-loop utilisation, V8's low-memory
 * collection (or, without the inspector, its gc exposed at run time: no node flag is needed
 * however berthd is started) and `trim` (malloc_trim).
 */
export function processMemoryPorts(trim: () => void): MemoryPorts {
  let fullGc: (() => void) | undefined;
  // V8 compacts only pages it finds fragmented enough; after a burst most are, a little.
  const compactingGc = (): void => {
    if (!fullGc) {
      setFlagsFromString('--expose-gc');
      fullGc = runInNewContext('gc') as () => void;
    }
    setFlagsFromString('--compact-on-every-full-gc');
    try {
      fullGc();
    } finally {
      setFlagsFromString('--no-compact-on-every-full-gc');
    }
  };
  const gc = async (): Promise<void> => {
    if (!(await lowMemoryGc())) compactingGc();
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
