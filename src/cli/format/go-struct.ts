import { GO_FORMAT, STRICT, goString } from './go-template.js';
import { goTimeText } from './network-context.js';

/** A field of a Go struct as templates see it: its Go name, JSON name and zero-value kind. */
export interface GoField {
  /** Go field name (what `{{.Name}}` looks up). */
  name: string;
  /** JSON key, when it differs from the Go name. */
  json?: string;
  /** How a missing/null value prints with `%v`: maps `map[]`, slices `[]`, strings ``, bools `false`. */
  kind: 'string' | 'bool' | 'int' | 'map' | 'slice' | 'struct';
  /** Drop from `{{json}}` when empty (Go's `omitempty`). */
  omitEmpty?: boolean;
}

const ZERO: Record<GoField['kind'], unknown> = { string: '', bool: false, int: 0, map: null, slice: null, struct: null };

/**
 * Wraps decoded JSON as a typed Go struct for templates: fields are looked up by Go name,
 * unknown fields are errors, `{{.}}` prints `{a b c}`, `{{json .}}` marshals every field in
 * declaration order (like the docker CLI executing a template on its typed value).
 *
 * `typeName` is the Go type template errors name (`*types.Version`).
 *
 * @example goStruct([{ name: 'ID', json: 'Id', kind: 'string' }], { Id: 'x' }).ID // 'x'
 */
export function goStruct(fields: GoField[], raw: Record<string, unknown> | null | undefined, nested: Record<string, (v: unknown) => unknown> = {}, typeName?: string): Record<string, unknown> {
  const src = raw ?? {};
  const view: Record<string, unknown> = {};
  for (const f of fields) {
    const v = src[f.json ?? f.name];
    const x = nested[f.name] ? nested[f.name]!(v) : v;
    view[f.name] = x === undefined ? ZERO[f.kind] : f.kind === 'map' && x && typeof x === 'object' ? sortedMap(x as Record<string, unknown>) : x;
  }
  Object.defineProperty(view, STRICT, { value: typeName ?? true, enumerable: false });
  Object.defineProperty(view, GO_FORMAT, {
    enumerable: false,
    value: () => `{${fields.map((f) => formatField(f, view[f.name])).join(' ')}}`,
  });
  Object.defineProperty(view, 'toJSON', {
    enumerable: false,
    value: () => {
      const out: Record<string, unknown> = {};
      for (const f of fields) {
        const v = view[f.name];
        if (f.omitEmpty && isEmpty(v)) continue;
        out[f.json ?? f.name] = v;
      }
      return out;
    },
  });
  return view;
}

/** A Go `time.Time` for templates: prints as `2006-01-02 15:04:05.999999999 -0700 MST`, marshals as RFC 3339. */
export function goTime(rfc3339: unknown): object {
  const text = typeof rfc3339 === 'string' ? rfc3339 : '0001-01-01T00:00:00Z';
  return { [GO_FORMAT]: () => goTimeText(text), toJSON: () => text };
}

/** A `map[string]T` whose values are structs. */
export function goMapOf(make: (v: unknown) => unknown): (v: unknown) => unknown {
  return (v) => (v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, make(x)])) : v);
}

/** A `[]T` whose items are structs. */
export function goSliceOf(make: (v: unknown) => unknown): (v: unknown) => unknown {
  return (v) => (Array.isArray(v) ? v.map(make) : v);
}

/** Go marshals a map with its keys sorted: map fields are kept in that order. */
function sortedMap(m: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(m).sort().map((k) => [k, m[k]]));
}

function formatField(f: GoField, v: unknown): string {
  if (v === null || v === undefined) return f.kind === 'map' ? 'map[]' : f.kind === 'slice' ? '[]' : f.kind === 'struct' ? '{}' : goString(ZERO[f.kind]);
  return goString(v);
}

function isEmpty(v: unknown): boolean {
  if (v === null || v === undefined || v === '' || v === false || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object' && !('toJSON' in v) && Object.getPrototypeOf(v) === Object.prototype) return Object.keys(v).length === 0;
  return false;
}
