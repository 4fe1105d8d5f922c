import { invalid } from './errors.js';

/**
 * Docker's `filters` query parameter: a JSON object of name -> values.
 * Both wire forms are accepted: `{"label":["a=b"]}` (current) and
 * `{"label":{"a=b":true}}` (API < 1.22 style, still sent by some clients).
 */
export type Filters = Map<string, string[]>;

export function parseFilters(raw: string | undefined | null): Filters {
  const out: Filters = new Map();
  if (!raw) return out;
  let obj: unknown;
  try {
    obj = JSON.parse(raw);
  } catch {
    throw invalid(`invalid filter '${raw}'`);
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw invalid(`invalid filter '${raw}'`);
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    if (Array.isArray(v)) out.set(k, v.map(String));
    else if (v && typeof v === 'object') out.set(k, Object.keys(v).filter((x) => (v as Record<string, unknown>)[x]));
    else throw invalid(`invalid filter '${raw}'`);
  }
  return out;
}

/** Throws Docker's error for a filter name the endpoint does not know. */
export function checkFilterNames(filters: Filters, allowed: readonly string[]): void {
  for (const k of filters.keys()) if (!allowed.includes(k)) throw invalid(`invalid filter '${k}'`);
}

/** `label=key` or `label=key=value` match against a label map. */
export function matchLabels(wanted: string[] | undefined, labels: Record<string, string> | null | undefined): boolean {
  if (!wanted || wanted.length === 0) return true;
  const l = labels ?? {};
  return wanted.every((w) => {
    const i = w.indexOf('=');
    if (i < 0) return Object.prototype.hasOwnProperty.call(l, w);
    return l[w.slice(0, i)] === w.slice(i + 1);
  });
}
