import { flagError } from '../../opts/validators.js';

/**
 * docker's `filter` flag type: `key=value`, key lower-cased and both sides trimmed,
 * collected into the wire's filter map; a value without `=` is a flag error.
 */
export function filterFlag(flag: string): (value: string, previous: Record<string, string[]> | undefined) => Record<string, string[]> {
  return (value, previous) => {
    const out = { ...previous };
    if (value === '') return out;
    const i = value.indexOf('=');
    if (i < 0) throw flagError(flag, value, 'bad format of filter (expected name=value)');
    const k = value.slice(0, i).trim().toLowerCase();
    out[k] = [...(out[k] ?? []), value.slice(i + 1).trim()];
    return out;
  };
}
