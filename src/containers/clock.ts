import { isoTime } from '../shared/iso-time.js';

/** Time source for the containers service (a fake in tests). */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** RFC3339Nano with nine fraction digits, strictly increasing within this process. */
  stamp(): string;
}

let last = 0n;

/** The real clock: wall time with sub-millisecond precision from hrtime. */
export const systemClock: Clock = {
  now: () => Date.now(),
  stamp: () => {
    let ns = BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);
    if (ns <= last) ns = last + 1n;
    last = ns;
    return nanoStamp(ns);
  },
};

export function nanoStamp(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return isoTime(ms).replace(/\.\d{3}Z$/, `.${frac}Z`);
}

/** A fixed, settable clock for tests. */
export function fakeClock(startMs: number): Clock & { advance(ms: number): void } {
  let t = startMs;
  let seq = 0n;
  return {
    now: () => t,
    stamp: () => nanoStamp(BigInt(t) * 1_000_000n + seq++),
    advance: (ms) => {
      t += ms;
    },
  };
}
