/** Erase the line the cursor is on and go to its start. */
const CLEAR_LINE = '\r\x1b[2K';

/**
 * `berth build --progress tty`: the classic stream as one block per step (`[2/4] RUN ...`),
 * with the step's output indented, cache hits and berth's miss explanations on the step's
 * line, and the time each step took. `plain` prints the stream as the docker CLI does.
 * Live (a terminal): the running step keeps a status line at the bottom (`  => 3.2s`),
 * redrawn every `interval` ms and replaced by the step's result when it ends.
 *
 * @example
 *   const r = new TtyBuildRenderer((s) => process.stdout.write(s));
 *   for (const text of streamTexts) r.write(text);
 *   r.end();
 */
export class TtyBuildRenderer {
  private pending = '';
  private step: { label: string; started: number } | undefined;
  private cached = false;
  private status = false;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly out: (s: string) => void,
    private readonly now: () => number = Date.now,
    private readonly live = false,
    private readonly interval = 100,
  ) {}

  /** Redraws the running step's status line (live mode; the timer calls it). */
  tick(): void {
    if (!this.live || !this.step) return;
    const secs = ((this.now() - this.step.started) / 1000).toFixed(1);
    this.out(`${CLEAR_LINE}  => ${secs}s`);
    this.status = true;
  }

  /** Text above the status line: the status is erased first and drawn again after. */
  private print(s: string): void {
    if (this.status) {
      this.out(CLEAR_LINE);
      this.status = false;
    }
    this.out(s);
  }

  write(text: string): void {
    this.pending += text;
    let i: number;
    while ((i = this.pending.indexOf('\n')) >= 0) {
      this.line(this.pending.slice(0, i));
      this.pending = this.pending.slice(i + 1);
    }
  }

  end(): void {
    if (this.pending) this.line(this.pending);
    this.pending = '';
    this.finishStep();
  }

  private finishStep(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.step) return;
    const secs = ((this.now() - this.step.started) / 1000).toFixed(1);
    this.print(`  => ${this.cached ? 'CACHED' : 'DONE'} ${secs}s\n`);
    this.step = undefined;
  }

  private line(l: string): void {
    const step = /^Step (\d+\/\d+) : (.*)$/.exec(l);
    if (step) {
      this.finishStep();
      this.step = { label: step[1]!, started: this.now() };
      this.cached = false;
      this.print(`[${step[1]}] ${step[2]}\n`);
      if (this.live) {
        this.tick();
        if (this.interval > 0) {
          this.timer = setInterval(() => this.tick(), this.interval);
          this.timer.unref?.();
        }
      }
      return;
    }
    if (l === ' ---> Using cache') {
      this.cached = true;
      return;
    }
    if (/^ ---> (Running in [0-9a-f]{12}|[0-9a-f]{12}|)$/.test(l) || /^Removing intermediate container /.test(l)) return;
    if (l.startsWith('cache miss: ')) {
      this.print(`  => ${l}\n`);
      this.tick();
      return;
    }
    if (/^(Successfully (built|tagged) |\[Warning\] )/.test(l)) {
      this.finishStep();
      this.out(`${l}\n`);
      return;
    }
    this.print(this.step ? `  | ${l}\n` : `${l}\n`);
    this.tick();
  }
}
