import { CommanderError } from 'commander';
import { splitStringSlice } from './csv.js';
import { canonicalIP } from './ip.js';

/**
 * A flag value rejected while parsing, printed like pflag does
 * (`invalid argument "x" for "--dns" flag: ...`, usage hint, exit 125).
 */
export function flagError(flag: string, value: string, reason: string): CommanderError {
  return new CommanderError(125, 'berth.invalidArgument', `invalid argument ${JSON.stringify(value)} for ${JSON.stringify(flag)} flag: ${reason}`);
}

type Validator = (value: string) => string;

function check(flag: string, value: string, validate: Validator | undefined): string {
  if (!validate) return value;
  try {
    return validate(value);
  } catch (e) {
    throw flagError(flag, value, (e as Error).message);
  }
}

/** Repeatable `list` flag with docker's per-value validator (`ListOpts`); `flag` as pflag names it (`-p, --publish`). */
export function listFlag(flag: string, validate?: Validator): (value: string, previous: string[] | undefined) => string[] {
  return (value, previous) => [...(previous ?? []), check(flag, value, validate)];
}

/** Repeatable `strings` flag: each value is a CSV record (pflag's `stringSlice`). */
export function sliceFlag(flag: string): (value: string, previous: string[] | undefined) => string[] {
  return (value, previous) => {
    try {
      return [...(previous ?? []), ...splitStringSlice(value)];
    } catch (e) {
      throw flagError(flag, value, (e as Error).message);
    }
  };
}

/** Repeatable `map` flag (`-o k=v`): later keys win, a value without `=` maps to "" (docker's `MapOpts`). */
export function mapFlag(): (value: string, previous: Record<string, string> | undefined) => Record<string, string> {
  return (value, previous) => {
    const i = value.indexOf('=');
    return { ...previous, [i < 0 ? value : value.slice(0, i)]: i < 0 ? '' : value.slice(i + 1) };
  };
}

/** `opts.ValidateIPAddress`: returns the canonical form (`2001:DB8::0001` → `2001:db8::1`). */
export function validateIPAddress(value: string): string {
  const ip = canonicalIP(value.trim());
  if (ip === undefined) throw new Error(`IP address is not correctly formatted: ${value}`);
  return ip;
}

const DOMAIN = /^(:?(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))(:?\.(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])))*)\.?\s*$/;

/** `opts.ValidateDNSSearch`: a domain name (trailing dot dropped) or `.`. */
export function validateDNSSearch(value: string): string {
  const v = value.replace(/^ +| +$/g, '');
  if (v === '.') return v;
  const m = /[a-zA-Z]/.test(v) ? DOMAIN.exec(v) : null;
  if (m && m[1]!.length < 255) return m[1]!;
  throw new Error(`${v} is not a valid domain`);
}

/** `opts.ValidateExtraHost`: `host:ip`, `host=ip`, `host=[v6]` or `host:host-gateway` → `host:ip`. */
export function validateExtraHost(value: string): string {
  let i = value.indexOf('=');
  if (i < 0) i = value.indexOf(':');
  const k = i < 0 ? '' : value.slice(0, i);
  let v = i < 0 ? '' : value.slice(i + 1);
  if (i < 0 || k === '' || k.includes(':')) throw new Error(`bad format for add-host: ${JSON.stringify(value)}`);
  if (v !== 'host-gateway') {
    if (v.length > 2 && v.startsWith('[') && v.endsWith(']')) v = v.slice(1, -1);
    if (canonicalIP(v.trim()) === undefined) throw new Error(`invalid IP address in add-host: ${JSON.stringify(v)}`);
  }
  return `${k}:${v}`;
}

/** `opts.ValidateLink`: `name` or `name:alias`. */
export function validateLink(value: string): string {
  if (value === '') throw new Error('empty string specified for links');
  if (value.split(':').length > 2) throw new Error(`bad format for links: ${value}`);
  return value;
}

/** `opts.ValidateLabel`: a non-empty key without whitespace before `=`. */
export function validateLabel(value: string): string {
  const key = value.split('=')[0]!.replace(/^[ \t]+/, '');
  if (key === '') throw new Error(`invalid label '${value}': empty name`);
  if (/[ \t]/.test(key)) throw new Error(`label '${key}' contains whitespaces`);
  return value;
}

/** `opts.ConvertKVStringsToMap`: `k=v` → {k: v}, `k` → {k: ""}. */
export function kvMap(values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values ?? []) {
    const i = v.indexOf('=');
    out[i < 0 ? v : v.slice(0, i)] = i < 0 ? '' : v.slice(i + 1);
  }
  return out;
}

/** pflag's `int` flag: a decimal integer, else `strconv.ParseInt: parsing "x": invalid syntax`. */
export function intFlag(flag: string): (value: string) => number {
  return (value) => {
    const v = value.replace(/_/g, '');
    const n = /^[+-]?\d+$/.test(v) ? Number(v) : /^[+-]?0[xX][0-9a-fA-F]+$/.test(v) ? Number.parseInt(v, 16) : NaN;
    if (!Number.isSafeInteger(n)) {
      const why = Number.isNaN(n) ? 'invalid syntax' : 'value out of range';
      throw flagError(flag, value, `strconv.ParseInt: parsing ${JSON.stringify(value)}: ${why}`);
    }
    return n;
  };
}
