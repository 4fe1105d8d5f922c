/**
 * `berth build --progress tty`: the classic stream as one block per step (`[2/4] RUN ...`),
 * with the step's output indented, cache hits and berth's miss explanations on the step's
 * line, and the time each step took. `plain` prints the stream as the docker CLI does.
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

  constructor(
    private readonly out: (s: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

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
    if (!this.step) return;
    const secs = ((this.now() - this.step.started) / 1000).toFixed(1);
    this.out(`  => ${this.cached ? 'CACHED' : 'DONE'} ${secs}s\n`);
    this.step = undefined;
  }

  private line(l: string): void {
    const step = /^Step (\d+\/\d+) : (.*)$/.exec(l);
    if (step) {
      this.finishStep();
      this.step = { label: step[1]!, started: this.now() };
      this.cached = false;
      this.out(`[${step[1]}] ${step[2]}\n`);
      return;
    }
    if (l === ' ---> Using cache') {
      this.cached = true;
      return;
    }
    if (/^ ---> (Running in [0-9a-f]{12}|[0-9a-f]{12}|)$/.test(l) || /^Removing intermediate container /.test(l)) return;
    if (l.startsWith('cache miss: ')) {
      this.out(`  => ${l}\n`);
      return;
    }
    if (/^(Successfully (built|tagged) |\[Warning\] )/.test(l)) {
      this.finishStep();
      this.out(`${l}\n`);
      return;
    }
    this.out(this.step ? `  | ${l}\n` : `${l}\n`);
  }
}
