/**
 * Output of stages built in parallel, kept in stage order: lane 0 streams live, later lanes
 * are held until every earlier lane has finished, then flushed and streamed live. The result
 * reads like a sequential build.
 *
 * @example
 *   const lanes = new OrderedLanes(2, (s) => out.stream(s));
 *   lanes.write(1, 'held\n'); lanes.write(0, 'live\n'); lanes.finish(0); // prints live, then held
 */
export class OrderedLanes {
  private active = 0;
  private readonly held: string[][];
  private readonly done: boolean[];

  constructor(
    count: number,
    private readonly sink: (text: string) => void,
  ) {
    this.held = Array.from({ length: count }, () => []);
    this.done = new Array<boolean>(count).fill(false);
  }

  write(lane: number, text: string): void {
    if (lane === this.active) this.sink(text);
    else this.held[lane]!.push(text);
  }

  finish(lane: number): void {
    this.done[lane] = true;
    while (this.active < this.done.length && this.done[this.active]) {
      this.active++;
      if (this.active < this.held.length) {
        for (const t of this.held[this.active]!.splice(0)) this.sink(t);
      }
    }
  }
}

/** At most `limit` tasks at once, started in the order asked (FIFO). */
export class Semaphore {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
