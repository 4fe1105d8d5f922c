import { invalid } from '../shared/errors.js';
import { parseFilters, type Filters } from '../shared/filters.js';

/**
 * Docker's boolean query values: absent -> default; `''`, `0`, `no`, `false`, `none`
 * (any case) -> false; anything else (`1`, `true`, `True`) -> true.
 */
export function boolParam(q: URLSearchParams, name: string, dflt = false): boolean {
  const raw = q.get(name);
  if (raw === null) return dflt;
  const v = raw.trim().toLowerCase();
  return !(v === '' || v === '0' || v === 'no' || v === 'false' || v === 'none');
}

/** Integer param; absent or empty -> undefined; garbage -> 400 with Go's strconv wording. */
export function intParam(q: URLSearchParams, name: string): number | undefined {
  const raw = q.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^[-+]?[0-9]+$/.test(raw)) throw invalid(`strconv.Atoi: parsing ${JSON.stringify(raw)}: invalid syntax`);
  return parseInt(raw, 10);
}

/** Non-empty string param or undefined. */
export function strParam(q: URLSearchParams, name: string): string | undefined {
  const raw = q.get(name);
  return raw === null || raw === '' ? undefined : raw;
}

/** `filters=` JSON (both wire forms) via shared/filters. */
export function filtersParam(q: URLSearchParams): Filters {
  return parseFilters(q.get('filters'));
}

/**
 * Docker timestamps as sent by the CLI: `seconds[.nanos]`, or an RFC 3339 date.
 * Returns unix seconds (fractional) or undefined when absent.
 */
export function timeParam(q: URLSearchParams, name: string): number | undefined {
  const raw = strParam(q, name);
  if (raw === undefined) return undefined;
  if (/^-?[0-9]+(\.[0-9]+)?$/.test(raw)) return Number(raw);
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw invalid(`failed to parse value as time or duration: "${raw}"`);
  return ms / 1000;
}
