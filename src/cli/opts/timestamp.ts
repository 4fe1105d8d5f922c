/**
 * docker's `timetypes.GetTimestamp` for `--since`/`--until`: a Go duration (`42m`, `1h30m`)
 * counts back from `now` in whole seconds; an RFC 3339-like time (date only, no seconds, no
 * zone = local time) becomes `seconds.nanoseconds`; a unix timestamp passes through.
 *
 * @example getTimestamp('2023-11-14T22:13:20Z') // '1700000000.000000000'
 */
export function getTimestamp(value: string, now = Date.now()): string {
  const d = parseGoDuration(value);
  if (value !== '0' && d !== undefined) return String(Math.floor((now * 1e6 - d) / 1e9));

  const inLocation = !/[zZ+]/.test(value) && value.split('-').length - 1 !== 3;
  const t = parseTime(value, inLocation, now);
  if (t === undefined) {
    if (value.includes('-')) throw new Error(`parsing time ${JSON.stringify(value)}: cannot parse ${JSON.stringify(value)} as a time`);
    if (!/^-?\d+(\.\d+)?$/.test(value)) throw new Error(`failed to parse value as time or duration: ${JSON.stringify(value)}`);
    return value;
  }
  return `${t.seconds}.${String(t.nanos).padStart(9, '0')}`;
}

const UNITS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's `time.ParseDuration`, in nanoseconds (undefined when it is not a duration). */
export function parseGoDuration(s: string): number | undefined {
  const m = /^([-+]?)(.*)$/.exec(s)!;
  let rest = m[2]!;
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  while (rest) {
    const part = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!part || (part[1] === '' && (part[2] ?? '') === '')) return undefined;
    total += Number(`${part[1] || '0'}.${part[2] || '0'}`) * UNITS[part[3]!]!;
    rest = rest.slice(part[0].length);
  }
  return m[1] === '-' ? -total : total;
}

/** One of GetTimestamp's layouts, chosen as docker chooses it; seconds and nanoseconds since the epoch. */
function parseTime(v: string, inLocation: boolean, now: number): { seconds: number; nanos: number } | undefined {
  const date = '(\\d{4})-(\\d\\d)-(\\d\\d)';
  const zone = inLocation ? '' : '(Z|[+-]\\d\\d:\\d\\d)';
  const full = '(\\d\\d):(\\d\\d):(\\d\\d)(?:\\.(\\d+))?';
  let re: RegExp;
  if (v.includes('.')) re = new RegExp(`^${date}T${full}${zone}$`);
  else if (v.includes('T')) {
    let colons = v.split(':').length - 1;
    if (!inLocation && !/[zZ]/.test(v) && colons > 0) colons--;
    const clock = colons === 0 ? '(\\d\\d)()()()' : colons === 1 ? '(\\d\\d):(\\d\\d)()()' : full;
    re = new RegExp(`^${date}T${clock}${zone}$`);
  } else re = new RegExp(`^${date}()()()()${zone}$`);
  const m = re.exec(v);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map((x) => Number(x || 0)) as [number, number, number, number, number, number];
  // Go's checks, in the order its parser meets them (the day last, against the month)
  const range = mo < 1 || mo > 12 ? 'month' : h > 23 ? 'hour' : mi > 59 ? 'minute' : se > 59 ? 'second' : d < 1 || d > new Date(Date.UTC(y, mo, 0)).getUTCDate() ? 'day' : undefined;
  if (range) throw new Error(`parsing time ${JSON.stringify(v)}: ${range} out of range`);
  const frac = (m[7] ?? '').slice(0, 9).padEnd(9, '0');
  const z = m[8];
  // local times use the zone offset in effect now, as Go's FixedZone(reference.Zone()) does
  const offsetMin = z === undefined ? -new Date(now).getTimezoneOffset() : z === 'Z' ? 0 : (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(4, 6)));
  const seconds = Date.UTC(y, mo - 1, d, h, mi, se) / 1000 - offsetMin * 60;
  return { seconds, nanos: Number(frac) };
}
