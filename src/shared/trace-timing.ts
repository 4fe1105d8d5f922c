/**
 * Fine-grained timing of hot paths (run, exec), off unless berthd runs with BERTH_TRACE_TIMING=1.
 * Each span prints one line to stderr when it ends: `trace <name> <id> total=12.3 step=1.2 ...`
 * (ms since the previous mark). Costs nothing when off: `span()` returns a no-op.
 *
 * @example
 *   const t = span('exec', id); await a(); t.mark('spec'); await b(); t.mark('conmon'); t.end();
 */
export interface Span {
  mark(step: string): void;
  end(): void;
}

const enabled = process.env.BERTH_TRACE_TIMING === '1';
const noop: Span = { mark: () => {}, end: () => {} };

export function span(name: string, id = ''): Span {
  if (!enabled) return noop;
  const t0 = performance.now();
  let last = t0;
  const steps: string[] = [];
  return {
    mark(step) {
      const now = performance.now();
      steps.push(`${step}=${(now - last).toFixed(1)}`);
      last = now;
    },
    end() {
      process.stderr.write(`trace ${name} ${id.slice(0, 12)} total=${(performance.now() - t0).toFixed(1)} ${steps.join(' ')}\n`);
    },
  };
}
