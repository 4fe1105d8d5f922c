import type { JsonShape } from '../api/json-shapes.js';

/**
 * Renames the keys of a decoded JSON body to the field names of `shape`, matching them as Go's
 * encoding/json does (hence dockerd): an exact name, else a case-insensitive one. Keys are
 * applied in order, so a later spelling of a field wins; keys no field matches are kept as
 * they are (Go ignores them). Map keys (`Labels`, `PortBindings`...) are never renamed.
 *
 * @example canonicalKeys({ hostconfig: { CPURealtimeRuntime: 5 } }, { HostConfig: { CpuRealtimeRuntime: 0 } })
 *   // { HostConfig: { CpuRealtimeRuntime: 5 } }
 */
export function canonicalKeys(value: unknown, shape: JsonShape): unknown {
  if (shape === 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(shape)) return Array.isArray(value) ? value.map((v) => canonicalKeys(v, shape[0])) : value;
  if (Array.isArray(value)) return value;
  const fields = shape as { readonly [field: string]: JsonShape };
  const map = fields['*'];
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (map !== undefined) {
      out[key] = canonicalKeys(v, map);
      continue;
    }
    const name = key in fields ? key : foldMatch(fields, key);
    out[name ?? key] = name === undefined ? v : canonicalKeys(v, fields[name]);
  }
  return out;
}

const folded = new WeakMap<object, Map<string, string>>();

/** The field whose name equals `key` ignoring case (Go's EqualFold, ASCII and Unicode simple folding). */
function foldMatch(fields: { readonly [field: string]: JsonShape }, key: string): string | undefined {
  let index = folded.get(fields);
  if (!index) {
    index = new Map(Object.keys(fields).reverse().map((f) => [fold(f), f]));
    folded.set(fields, index);
  }
  return index.get(fold(key));
}

/** Go folds K (U+212A) to k and ſ (U+017F) to s; toLowerCase does the rest. */
const fold = (s: string): string => s.replace(/\u212a/g, 'k').replace(/\u017f/g, 's').toLowerCase();
