import { type Cmd, type Node, type Operand, type Pipeline, TemplateParseError, parseTemplate } from './go-template-parse.js';

type Fn = (...args: unknown[]) => unknown;

/**
 * A template that does not parse (`kind` 'parse': `template: :1: unclosed action`) or fails
 * while running (`kind` 'exec': `template: :1:2: executing "" at <.Foo>: can't evaluate
 * field Foo in type *formatter.ContainerContext`), worded as Go's text/template words it.
 */
export class TemplateError extends Error {
  constructor(message: string, readonly kind: 'parse' | 'exec') {
    super(message);
  }
}

/** A failure while running, at a node (its source offset and Go's text for it). */
class ExecFail extends Error {
  constructor(message: string, readonly at: { pos: number; text: string }) {
    super(message);
  }
}

/** Options of a {@link GoTemplate}. */
export interface GoTemplateOptions {
  /** A missing map key is an error (`missingkey=error`), as in docker's inspect fallback over the raw JSON. */
  missingKeyError?: boolean;
  /** `json` sorts object keys, as Go marshals maps (data that is all maps, like that fallback's). */
  jsonSortKeys?: boolean;
  /** The template's name in error texts (docker names `version`'s "version", the others ""). */
  name?: string;
  /** The Go type of the data's strict objects in error texts (`*formatter.ContainerContext`). */
  typeName?: string;
}

/**
 * A small Go text/template interpreter covering what `--format` users write:
 * fields and chains, `$` variables, `if/else/with/range`, pipes, and Docker's functions
 * (`json`, `join`, `split`, `upper`, `lower`, `title`, `pad`, `truncate`, `println`)
 * plus Go's builtins (`index`, `len`, `eq`, `ne`, `lt`, `le`, `gt`, `ge`, `and`, `or`,
 * `not`, `print`, `printf`). Values print as Go does (`[a b]`, `map[k:v]`, `<no value>`).
 *
 * @example new GoTemplate('{{.Name | upper}}').execute({ Name: 'web' }) // 'WEB'
 */
export class GoTemplate {
  private readonly nodes: Node[];

  /** Text and `{{.Field}}` names, when that is all the template is (the default tables): run without the interpreter. */
  private readonly fields: (string | { field: string })[] | undefined;

  private readonly name: string;

  /**
   * @param funcs replaces functions by name (docker renders table headers with pass-through
   *   `json`, `upper`, ... so a header stays the column name)
   * @throws TemplateError ('parse')
   */
  constructor(private readonly src: string, private readonly funcs: Record<string, Fn> = {}, private readonly opts: GoTemplateOptions = {}) {
    this.name = opts.name ?? '';
    try {
      this.nodes = parseTemplate(src);
      checkFunctions(this.nodes, { ...FUNCS, ...funcs });
      this.fields = onlyFields(this.nodes);
    } catch (e) {
      if (!(e instanceof TemplateParseError)) throw e;
      throw new TemplateError(`template: ${this.name}:${lineCol(src, e.pos)[0]}: ${e.message}`, 'parse');
    }
  }

  /**
   * Renders the template against `data`.
   * @throws TemplateError ('exec')
   */
  execute(data: unknown): string {
    if (this.fields && typeof data === 'object' && data !== null) {
      // a field that is not a string (or not there) takes the interpreter: same text, same errors
      let text = '';
      for (const part of this.fields) {
        if (typeof part === 'string') text += part;
        else {
          const v = (data as Record<string, unknown>)[part.field];
          if (typeof v !== 'string') return this.interpret(data);
          text += v;
        }
      }
      return text;
    }
    return this.interpret(data);
  }

  private interpret(data: unknown): string {
    const out: string[] = [];
    const saved = active;
    active = { funcs: { ...FUNCS, ...this.funcs }, missingKeyError: !!this.opts.missingKeyError, jsonSortKeys: !!this.opts.jsonSortKeys, typeName: this.opts.typeName };
    try {
      run(this.nodes, data, [new Map([['$', data]])], out);
    } catch (e) {
      if (!(e instanceof ExecFail)) throw e;
      const [line, col] = lineCol(this.src, e.at.pos);
      throw new TemplateError(`template: ${this.name}:${line}:${col}: executing "${this.name}" at <${e.at.text}>: ${e.message}`, 'exec');
    } finally {
      active = saved;
    }
    return out.join('');
  }
}

/** The parts of a template made only of text and `{{.Field}}` actions, else undefined. */
function onlyFields(nodes: Node[]): (string | { field: string })[] | undefined {
  const parts: (string | { field: string })[] = [];
  for (const n of nodes) {
    if (n.t === 'text') parts.push(n.text);
    else if (n.t !== 'action' || n.pipe.decl.length || n.pipe.cmds.length !== 1 || n.pipe.cmds[0]!.args.length !== 1) return undefined;
    else {
      const a = n.pipe.cmds[0]!.args[0]!;
      if (a.t !== 'field' || a.base !== 'dot' || a.path.length !== 1) return undefined;
      parts.push({ field: a.path[0]! });
    }
  }
  return parts;
}

/** Go's ErrorContext: 1-based line, 0-based byte column. */
function lineCol(src: string, pos: number): [number, number] {
  const before = src.slice(0, pos);
  const nl = before.lastIndexOf('\n');
  return [before.split('\n').length, Buffer.byteLength(before.slice(nl + 1))];
}

/** Go's parser refuses a call of an unknown function. */
function checkFunctions(nodes: Node[], funcs: Record<string, Fn>): void {
  const pipe = (p: Pipeline): void => {
    for (const c of p.cmds) {
      for (const a of c.args) {
        if (a.t === 'ident' && !funcs[a.name]) throw new TemplateParseError(`function "${a.name}" not defined`, a.pos);
        if (a.t === 'field' && typeof a.base === 'object') pipe(a.base);
      }
    }
  };
  for (const n of nodes) {
    if (n.t === 'text') continue;
    pipe(n.pipe);
    if (n.t !== 'action') {
      checkFunctions(n.body, funcs);
      checkFunctions(n.alt, funcs);
    }
  }
}

type Env = { funcs: Record<string, Fn>; missingKeyError: boolean; jsonSortKeys: boolean; typeName?: string };
let active: Env | undefined;
const env = (): Env => active ?? { funcs: FUNCS, missingKeyError: false, jsonSortKeys: false };

type Scope = Map<string, unknown>[];

function run(nodes: Node[], dot: unknown, scope: Scope, out: string[]): void {
  for (const n of nodes) {
    switch (n.t) {
      case 'text':
        out.push(n.text);
        break;
      case 'action': {
        const v = evalPipe(n.pipe, dot, scope);
        if (n.pipe.decl.length === 0) out.push(goString(v));
        break;
      }
      case 'if':
      case 'with': {
        const inner: Scope = [...scope, new Map()];
        const v = evalPipe(n.pipe, dot, inner);
        if (truthy(v)) run(n.body, n.t === 'with' ? v : dot, inner, out);
        else run(n.alt, dot, scope, out);
        break;
      }
      case 'range': {
        const inner: Scope = [...scope, new Map()];
        const decl = n.pipe.decl;
        const v = evalPipe({ decl: [], cmds: n.pipe.cmds }, dot, inner);
        const items = entries(v, n.pipe.cmds[0]!);
        if (items.length === 0) {
          run(n.alt, dot, scope, out);
          break;
        }
        for (const [k, item] of items) {
          const vars = inner[inner.length - 1]!;
          if (decl.length === 1) vars.set(decl[0]!, item);
          if (decl.length === 2) {
            vars.set(decl[0]!, k);
            vars.set(decl[1]!, item);
          }
          run(n.body, item, inner, out);
        }
        break;
      }
    }
  }
}

function entries(v: unknown, at: Cmd): [unknown, unknown][] {
  if (v === null || v === undefined || v === NO_VALUE) return [];
  if (Array.isArray(v)) return v.map((x, i) => [i, x]);
  if (typeof v === 'number') return Array.from({ length: v }, (_, i) => [i, i]);
  if (typeof v === 'object') return Object.keys(v as object).sort().map((k) => [k, (v as Record<string, unknown>)[k]]);
  throw new ExecFail(`range can't iterate over ${goString(v)}`, at);
}

function evalPipe(p: Pipeline, dot: unknown, scope: Scope): unknown {
  let prev: unknown;
  let first = true;
  for (const cmd of p.cmds) {
    prev = evalCmd(cmd, dot, scope, first ? [] : [prev]);
    first = false;
  }
  if (p.decl.length) scope[scope.length - 1]!.set(p.decl[0]!, prev);
  return prev;
}

function evalCmd(cmd: Cmd, dot: unknown, scope: Scope, piped: unknown[]): unknown {
  const [head, ...rest] = cmd.args;
  if (head!.t === 'ident') {
    const fn = env().funcs[head!.name];
    if (!fn) throw new ExecFail(`function "${head!.name}" not defined`, head!);
    const args = [...rest.map((o) => evalOperand(o, dot, scope)), ...piped];
    try {
      return fn(...args);
    } catch (e) {
      if (e instanceof ExecFail) throw e;
      throw new ExecFail(`error calling ${head!.name}: ${(e as Error).message}`, cmd);
    }
  }
  if (head!.t === 'field' && (rest.length || piped.length)) {
    return evalField(head!, dot, scope, [...rest.map((o) => evalOperand(o, dot, scope)), ...piped]);
  }
  return evalOperand(head!, dot, scope);
}

function evalOperand(o: Operand, dot: unknown, scope: Scope): unknown {
  if (o.t === 'lit') return o.value;
  if (o.t === 'ident') {
    const fn = env().funcs[o.name];
    if (!fn) throw new ExecFail(`function "${o.name}" not defined`, o);
    try {
      return fn();
    } catch (e) {
      throw new ExecFail(`error calling ${o.name}: ${(e as Error).message}`, o);
    }
  }
  return evalField(o, dot, scope, []);
}

function evalField(o: Extract<Operand, { t: 'field' }>, dot: unknown, scope: Scope, args: unknown[]): unknown {
  let v: unknown;
  if (o.base === 'dot') v = dot;
  else if (typeof o.base === 'string') v = lookupVar(o.base, scope);
  else v = evalPipe(o.base, dot, scope);
  o.path.forEach((name, i) => {
    if (v === null || v === undefined || v === NO_VALUE) throw new ExecFail(`nil pointer evaluating interface {}.${name}`, o);
    if (typeof v !== 'object') throw new ExecFail(`can't evaluate field ${name} in type ${goType(v)}`, o);
    const obj = v as Record<string, unknown>;
    const f = obj[name];
    if (typeof f === 'function') v = (f as Fn).apply(obj, i === o.path.length - 1 ? args : []);
    else if (!(name in obj) && !isMapLike(obj)) throw new ExecFail(`can't evaluate field ${name} in type ${goType(obj)}`, o);
    else if (!(name in obj) && env().missingKeyError) throw new ExecFail(`map has no entry for key "${name}"`, o);
    else v = f === undefined ? NO_VALUE : f;
  });
  return v;
}

/** The Go type an error names: a strict object's own (STRICT's string value), the template's, or the value's kind. */
function goType(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  const own = (v as Record<symbol, unknown>)[STRICT];
  if (typeof own === 'string') return own;
  if (Array.isArray(v)) return '[]interface {}';
  return env().typeName ?? 'map[string]interface {}';
}

function lookupVar(name: string, scope: Scope): unknown {
  for (let i = scope.length - 1; i >= 0; i--) if (scope[i]!.has(name)) return scope[i]!.get(name);
  throw new ExecFail(`undefined variable "${name}"`, { pos: 0, text: name });
}

/** Objects built from JSON (maps) allow missing keys; context objects mark themselves strict. */
function isMapLike(o: object): boolean {
  return !(STRICT in o);
}

/**
 * Put this symbol on a context object to make unknown fields an error (like a Go struct); a
 * string value is the Go type errors name (`*formatter.ContainerContext`).
 */
export const STRICT = Symbol('strict');

/**
 * A method under this symbol gives an object's `%v` text (a Go struct's `{a b}`, a
 * `time.Time`); `{{json}}` still uses the object's `toJSON`.
 */
export const GO_FORMAT = Symbol('goFormat');

const NO_VALUE = Symbol('no value');

/** On a map of a typed value: what `index` gives for a missing key (the value type's zero, `""` for map[string]string). */
export const MAP_ZERO = Symbol('map zero');

function truthy(v: unknown): boolean {
  if (v === NO_VALUE || v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object' && GO_FORMAT in (v as object)) return true;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

/** Formats a value the way Go's fmt `%v` does for JSON-shaped data. */
export function goString(v: unknown): string {
  if (v === NO_VALUE) return '<no value>';
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.map(goString).join(' ')}]`;
  if (typeof v === 'object' && GO_FORMAT in (v as object)) return (v as { [GO_FORMAT]: () => string })[GO_FORMAT]();
  if (typeof v === 'object') {
    const keys = Object.keys(v as object).sort();
    return `map[${keys.map((k) => `${k}:${goString((v as Record<string, unknown>)[k])}`).join(' ')}]`;
  }
  return String(v);
}

const clean = (v: unknown): unknown => (v === NO_VALUE ? null : v);

function cmp(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

function printf(fmt: unknown, ...args: unknown[]): string {
  let i = 0;
  return String(fmt).replace(/%([-+ #0]*\d*(?:\.\d+)?)([svdqtf%])/g, (_m, _flags: string, verb: string) => {
    if (verb === '%') return '%';
    const a = args[i++];
    if (verb === 'q') return JSON.stringify(goString(a));
    if (verb === 'f') return Number(a).toFixed(6);
    return goString(a);
  });
}

/** `encoding/json` output: HTML-sensitive characters escaped like Go's default encoder. */
export function goJson(v: unknown): string {
  const s = JSON.stringify(v) ?? 'null';
  return s.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * docker's `json` template function encodes without HTML escaping, but its formatter
 * contexts (`ps`, `images`, `network ls` rows: strict objects that are not Go-struct views)
 * marshal themselves with `json.Marshal`, which escapes.
 */
function jsonFunc(v: unknown): string {
  const c = clean(v);
  // (a typed view that names its Go type, like an event's, is a plain struct: no MarshalJSON)
  const context = typeof c === 'object' && c !== null && (c as Record<symbol, unknown>)[STRICT] === true && !(GO_FORMAT in c);
  if (context) return goJson(c);
  return JSON.stringify(c, env().jsonSortKeys ? sortedKeys : undefined) ?? 'null';
}

/** JSON.stringify replacer that emits plain objects with sorted keys (Go's map order). */
export function sortedKeys(_k: string, v: unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]));
}

const FUNCS: Record<string, Fn> = {
  json: jsonFunc,
  join: (a, sep) => (Array.isArray(a) ? a.map(goString).join(String(sep)) : goString(a)),
  split: (s, sep) => String(s).split(String(sep)),
  upper: (s) => goString(s).toUpperCase(),
  lower: (s) => goString(s).toLowerCase(),
  title: (s) => goString(s).replace(/(^|[^\p{L}\p{N}'])(\p{L})/gu, (_m, pre: string, c: string) => pre + c.toUpperCase()),
  pad: (s, l, r) => ' '.repeat(Number(l)) + goString(s) + ' '.repeat(Number(r)),
  truncate: (s, n) => [...goString(s)].slice(0, Number(n)).join(''),
  println: (...a) => `${a.map(goString).join(' ')}\n`,
  print: (...a) => a.map(goString).join(''),
  printf: (f, ...a) => printf(f, ...a),
  index: (c, ...keys) => {
    let v = clean(c);
    for (const k of keys) {
      if (v === null || v === undefined) return NO_VALUE;
      if ((Array.isArray(v) || typeof v === 'string') && (typeof k !== 'number' || k < 0 || k >= v.length)) {
        throw new Error(typeof k === 'number' ? `index out of range: ${k}` : `cannot index slice/array with type string`);
      }
      const m = v as Record<string | symbol, unknown>;
      v = m[k as string] === undefined && MAP_ZERO in m ? m[MAP_ZERO] : m[k as string];
    }
    return v === undefined ? NO_VALUE : v;
  },
  len: (v) => {
    if (typeof v === 'string' || Array.isArray(v)) return v.length;
    if (v && typeof v === 'object') return Object.keys(v).length;
    throw new Error(`len of type ${goType(v)}`);
  },
  eq: (a, ...b) => b.some((x) => clean(x) === clean(a)),
  ne: (a, b) => clean(a) !== clean(b),
  lt: (a, b) => cmp(a, b) < 0,
  le: (a, b) => cmp(a, b) <= 0,
  gt: (a, b) => cmp(a, b) > 0,
  ge: (a, b) => cmp(a, b) >= 0,
  not: (v) => !truthy(v),
  and: (...a) => a.find((x) => !truthy(x)) ?? a[a.length - 1],
  or: (...a) => a.find((x) => truthy(x)) ?? a[a.length - 1],
};
