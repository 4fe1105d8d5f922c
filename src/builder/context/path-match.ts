/**
 * Go's filepath.Match on Linux: `*` any run of non-`/` characters, `?` one non-`/`
 * character, `[a-z]` / `[^a-z]` classes, `\` escapes. The whole name must match. A malformed
 * pattern matches nothing (Docker ignores Go's ErrBadPattern).
 *
 * @example pathMatch('*.js', 'app.js'); // true; pathMatch('*.js', 'lib/app.js') === false
 */
export function pathMatch(pattern: string, name: string): boolean {
  const re = compile(pattern);
  return re ? re.test(name) : false;
}

/** Whether a COPY/ADD source has wildcards (an escaped character does not count). */
export function hasWildcards(path: string): boolean {
  for (let i = 0; i < path.length; i++) {
    const ch = path[i];
    if (ch === '\\') i++;
    else if (ch === '*' || ch === '?' || ch === '[') return true;
  }
  return false;
}

const cache = new Map<string, RegExp | null>();
const escapeRe = (c: string): string => c.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
const escapeClass = (c: string): string => c.replace(/[\\\]\[^-]/g, '\\$&');

function compile(pattern: string): RegExp | null {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  const cps = Array.from(pattern);
  let re = '^';
  let ok = true;
  for (let i = 0; i < cps.length && ok; i++) {
    const ch = cps[i]!;
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '\\') {
      if (i + 1 >= cps.length) ok = false;
      else re += escapeRe(cps[++i]!);
    } else if (ch === '[') {
      let j = i + 1;
      let negate = false;
      if (cps[j] === '^') {
        negate = true;
        j++;
      }
      const ranges: string[] = [];
      let first = true;
      while (ok) {
        if (j >= cps.length) {
          ok = false;
          break;
        }
        if (cps[j] === ']' && !first) break;
        first = false;
        const lo = readClassChar(cps, j);
        if (!lo) {
          ok = false;
          break;
        }
        j = lo.next;
        let hi = lo;
        if (cps[j] === '-') {
          const h = readClassChar(cps, j + 1);
          if (!h) {
            ok = false;
            break;
          }
          hi = h;
          j = h.next;
        }
        if (hi.ch < lo.ch) ok = false;
        ranges.push(hi === lo ? escapeClass(lo.ch) : `${escapeClass(lo.ch)}-${escapeClass(hi.ch)}`);
      }
      if (!ok) break;
      re += `(?!/)[${negate ? '^' : ''}${ranges.join('')}]`;
      i = j;
    } else re += escapeRe(ch);
  }
  const out = ok ? new RegExp(`${re}$`, 'u') : null;
  cache.set(pattern, out);
  return out;
}

/** One character of a class (`\x` escapes it); undefined when the class is malformed there. */
function readClassChar(cps: string[], j: number): { ch: string; next: number } | undefined {
  const c = cps[j];
  if (c === undefined || c === '-' || c === ']') return undefined;
  if (c === '\\') {
    const e = cps[j + 1];
    return e === undefined ? undefined : { ch: e, next: j + 2 };
  }
  return { ch: c, next: j + 1 };
}
