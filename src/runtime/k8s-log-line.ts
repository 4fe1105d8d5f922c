/**
 * One line of conmon's k8s-file log: `<RFC3339Nano time> <stdout|stderr> <P|F> <content>`.
 * P marks a partial line (the content continues in the next line of the same stream);
 * F ends the line, whose newline is not stored.
 */
export interface K8sLogLine {
  /** Time normalized to UTC, 9 fraction digits (Docker's RFC3339NanoFixed). */
  time: string;
  /** Unix seconds with fraction. */
  seconds: number;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  content: Buffer;
}

const SPACE = 0x20;

/** Parse one line (without its trailing "\n"); undefined when malformed. */
export function parseK8sLogLine(line: Buffer): K8sLogLine | undefined {
  const s1 = line.indexOf(SPACE);
  const s2 = s1 < 0 ? -1 : line.indexOf(SPACE, s1 + 1);
  if (s2 < 0) return undefined;
  let s3 = line.indexOf(SPACE, s2 + 1);
  if (s3 < 0) s3 = line.length;
  const stream = line.toString('latin1', s1 + 1, s2);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const tags = line.toString('latin1', s2 + 1, s3).split(':');
  const t = parseTime(line.toString('latin1', 0, s1));
  if (!t) return undefined;
  return { ...t, stream, partial: tags.includes('P'), content: line.subarray(Math.min(s3 + 1, line.length)) };
}

/** Parse an RFC3339 time with up to nanosecond fraction into UTC text and unix seconds. */
export function parseTime(text: string): { time: string; seconds: number } | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) return undefined;
  const whole = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(whole)) return undefined;
  const frac = (m[2] ?? '').padEnd(9, '0').slice(0, 9);
  const utc = new Date(whole).toISOString().slice(0, 19);
  return { time: `${utc}.${frac}Z`, seconds: whole / 1000 + Number(`0.${frac}`) };
}
