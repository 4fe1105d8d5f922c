import { parseGoDuration } from './go-duration.js';
import type { ParseRequest } from './instructions.js';
import { goQuote } from './node-args.js';
import { atLeastOneArgument, InstructionError } from './parse-error.js';
import type { HealthcheckConfig } from './types.js';

const MIN_INTERVAL_NS = 1_000_000; // Docker's container.MinimumDuration (1ms)

function interval(name: string, value: string | undefined): number {
  if (!value) return 0;
  let ns: number;
  try {
    ns = parseGoDuration(value);
  } catch (err) {
    throw new InstructionError((err as Error).message);
  }
  if (ns < MIN_INTERVAL_NS) throw new InstructionError(`Interval ${goQuote(name)} cannot be less than 1ms`);
  return ns;
}

/** Go's strconv.ParseInt(s, 10, 32) with its messages. */
function parseInt32(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new InstructionError(`strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax`);
  const n = Number(s);
  if (n > 2 ** 31 - 1 || n < -(2 ** 31)) {
    throw new InstructionError(`strconv.ParseInt: parsing ${goQuote(s)}: value out of range`);
  }
  return n;
}

/** HEALTHCHECK NONE | HEALTHCHECK [--interval --timeout --start-period --start-interval --retries] CMD ... */
export function parseHealthcheck(req: ParseRequest): HealthcheckConfig {
  if (req.args.length === 0) throw atLeastOneArgument('HEALTHCHECK');
  const type = req.args[0]!.toUpperCase();
  const rest = req.args.slice(1);
  const none = { test: ['NONE'], interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 };
  if (type === 'NONE') {
    if (rest.length) throw new InstructionError('HEALTHCHECK NONE takes no arguments');
    return none;
  }
  const flInterval = req.flags.string('interval');
  const flTimeout = req.flags.string('timeout');
  const flStartPeriod = req.flags.string('start-period');
  const flStartInterval = req.flags.string('start-interval');
  const flRetries = req.flags.string('retries');
  req.flags.parse();
  if (type !== 'CMD') throw new InstructionError(`Unknown type ${goQuote(type)} in HEALTHCHECK (try CMD)`);
  const cmd = req.node.json ? rest : rest.length ? [rest.join(' ')] : [];
  if (cmd.length === 0) throw new InstructionError('Missing command after HEALTHCHECK CMD');
  const health: HealthcheckConfig = {
    test: req.node.json ? ['CMD', ...cmd] : ['CMD-SHELL', ...cmd],
    interval: interval('interval', flInterval.value),
    timeout: interval('timeout', flTimeout.value),
    startPeriod: interval('start-period', flStartPeriod.value),
    startInterval: interval('start-interval', flStartInterval.value),
    retries: 0,
  };
  if (flRetries.value) {
    const retries = parseInt32(flRetries.value);
    if (retries < 1) throw new InstructionError(`--retries must be at least 1 (not ${retries})`);
    health.retries = retries;
  }
  return health;
}
