/** Human-readable sizes and durations exactly as github.com/docker/go-units prints them. */

const DECIMAL = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** Go's `%.<p>g`. */
export function formatG(v: number, precision: number): string {
  if (v === 0) return '0';
  const exp = Number(v.toExponential(precision - 1).split('e')[1]);
  let s = exp < -4 || exp >= precision ? v.toExponential(precision - 1) : v.toFixed(Math.max(0, precision - 1 - exp));
  const m = /^(-?[\d.]+)e([+-])(\d+)$/.exec(s);
  if (m) {
    let mant = m[1]!;
    if (mant.includes('.')) mant = mant.replace(/0+$/, '').replace(/\.$/, '');
    return `${mant}e${m[2]}${m[3]!.padStart(2, '0')}`;
  }
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

/**
 * `units.HumanSizeWithPrecision`: decimal units, `precision` significant digits.
 *
 * @example humanSize(4261000) // '4.26MB'
 */
export function humanSize(size: number, precision = 3): string {
  let i = 0;
  let s = size;
  while (s >= 1000 && i < DECIMAL.length - 1) {
    s /= 1000;
    i++;
  }
  return `${formatG(s, precision)}${DECIMAL[i]}`;
}

/** `units.BytesSize`: binary units (`KiB`, `MiB`, ...), 4 significant digits. */
export function bytesSize(size: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];
  let i = 0;
  let s = size;
  while (s >= 1024 && i < units.length - 1) {
    s /= 1024;
    i++;
  }
  return `${formatG(s, 4)}${units[i]}`;
}

/**
 * `units.HumanDuration`.
 *
 * @example humanDuration(90_000) // 'About a minute'
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(ms / 3_600_000 / 24 / 365)} years`;
}

/** `units.RAMInBytes`/`FromHumanSize` for flags like `-m 512m` (binary units, as docker). */
export function parseRamBytes(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b?)$/i.exec(s.trim());
  if (!m) throw new Error(`invalid size: '${s}'`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 }[m[2]!.toLowerCase() as '' | 'k'];
  return Math.trunc(Number(m[1]) * mult);
}

/** Go's `time.Time.String()` for a unix-seconds timestamp, in local time. */
export function goTimeString(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const off = -d.getTimezoneOffset();
  const pad = (n: number): string => String(n).padStart(2, '0');
  const sign = off >= 0 ? '+' : '-';
  const abbr = off === 0 ? 'UTC' : zoneName(d);
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ` +
    `${sign}${pad(Math.trunc(Math.abs(off) / 60))}${pad(Math.abs(off) % 60)} ${abbr}`
  );
}

let zoneFormat: Intl.DateTimeFormat | undefined;

/** The zone's short name (`CET`); off UTC only: the first Intl.DateTimeFormat costs ~20-80 ms (ICU data). */
function zoneName(d: Date): string {
  zoneFormat ??= new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' });
  const zone = zoneFormat.formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? '';
  return zone === 'GMT' ? 'UTC' : zone;
}

/** Docker's `Ellipsis`: cut to `max` display characters, the last being `…`. */
export function ellipsis(s: string, max: number): string {
  const chars = [...s];
  if (chars.length <= max) return s;
  if (max <= 0) return '';
  return `${chars.slice(0, max - 1).join('')}…`;
}

/** Short id: strips `sha256:` and keeps 12 hex characters. */
export function shortId(id: string): string {
  const i = id.indexOf(':');
  return (i >= 0 ? id.slice(i + 1) : id).slice(0, 12);
}
