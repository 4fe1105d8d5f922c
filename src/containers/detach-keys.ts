import { Transform } from 'node:stream';
import { invalid } from '../shared/errors.js';

/** Docker's default detach sequence: ctrl-p, ctrl-q. */
export const DEFAULT_DETACH_KEYS = [0x10, 0x11];

/**
 * Parses Docker's `--detach-keys` format: comma-separated `ctrl-<c>` or single characters.
 * @example parseDetachKeys('ctrl-p,ctrl-q') // [16, 17]
 */
export function parseDetachKeys(spec: string | undefined): number[] {
  if (!spec) return DEFAULT_DETACH_KEYS;
  return spec.split(',').map((k) => {
    const key = k.trim();
    if (key.length === 1) return key.charCodeAt(0);
    const m = /^ctrl-(.)$/i.exec(key);
    if (m) {
      const c = m[1]!.toLowerCase();
      if (c >= 'a' && c <= 'z') return c.charCodeAt(0) - 96;
      const special: Record<string, number> = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 };
      if (c in special) return special[c]!;
    }
    throw invalid(`Invalid detach keys (${spec}) provided`);
  });
}

/**
 * Passes stdin through, holding back a partial detach sequence; calls `onDetach` (and stops
 * forwarding) when the whole sequence is typed. Like dockerd, only used for TTY containers.
 */
export function detachKeyFilter(keys: number[], onDetach: () => void): Transform {
  let matched = 0;
  let detached = false;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (detached) return cb();
      const out: number[] = [];
      for (const b of chunk) {
        if (b === keys[matched]) {
          matched++;
          if (matched === keys.length) {
            detached = true;
            if (out.length) this.push(Buffer.from(out));
            onDetach();
            return cb();
          }
          continue;
        }
        if (matched > 0) out.push(...keys.slice(0, matched));
        matched = b === keys[0] ? 1 : 0;
        if (matched === 0) out.push(b);
      }
      cb(null, out.length ? Buffer.from(out) : undefined);
    },
  });
}
