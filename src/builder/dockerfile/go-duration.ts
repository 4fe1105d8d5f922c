const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1000n,
  'µs': 1000n, // U+00B5
  'μs': 1000n, // U+03BC
  ms: 1000_000n,
  s: 1000_000_000n,
  m: 60_000_000_000n,
  h: 3600_000_000_000n,
};
const MAX = (1n << 63n) - 1n;

const quote = (s: string): string => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;

/**
 * Go's time.ParseDuration (`1h30m`, `1.5s`, `300ms`, `-2us`), in nanoseconds, with Go's
 * error messages (`time: unknown unit "x" in duration "1x"`).
 *
 * @example parseGoDuration('1m30s'); // 90_000_000_000
 */
export function parseGoDuration(orig: string): number {
  const invalid = (): Error => new Error(`time: invalid duration ${quote(orig)}`);
  let s = orig;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();
  let total = 0n;
  while (s !== '') {
    if (!/^[0-9.]/.test(s)) throw invalid();
    const intPart = /^[0-9]*/.exec(s)![0];
    s = s.slice(intPart.length);
    let frac = '';
    let post = false;
    if (s[0] === '.') {
      frac = /^\.([0-9]*)/.exec(s)![1]!;
      s = s.slice(1 + frac.length);
      post = frac.length > 0;
    }
    if (intPart === '' && !post) throw invalid();
    const unitLen = /^[^0-9.]*/.exec(s)![0].length;
    if (unitLen === 0) throw new Error(`time: missing unit in duration ${quote(orig)}`);
    const u = s.slice(0, unitLen);
    s = s.slice(unitLen);
    const unit = UNITS[u];
    if (unit === undefined) throw new Error(`time: unknown unit ${quote(u)} in duration ${quote(orig)}`);
    let v = BigInt(intPart || '0');
    if (v > (1n << 63n) / unit) throw invalid();
    v *= unit;
    if (frac) v += BigInt(Math.floor(Number(`0.${frac}`) * Number(unit)));
    total += v;
    if (total > 1n << 63n) throw invalid();
  }
  if (!neg && total > MAX) throw invalid();
  return Number(neg ? -total : total);
}
