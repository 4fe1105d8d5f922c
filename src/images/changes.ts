import path from 'node:path';
import type { ContainerConfig, HealthConfig } from '../api/types.js';
import { invalid } from '../shared/errors.js';
import { envLookup, expandWord, splitWords } from './shell-words.js';

/**
 * The Dockerfile subset `docker commit --change` and `docker import --change` accept.
 * Deliberately small and self-contained: the builder's full Dockerfile parser can replace
 * it behind applyChanges() without its callers noticing.
 */
const VALID = new Set(['cmd', 'entrypoint', 'healthcheck', 'env', 'expose', 'label', 'onbuild', 'stopsignal', 'user', 'volume', 'workdir']);

/** One instruction line after comments, blank lines and `\` continuations are handled. */
export interface ChangeLine {
  /** Lower-cased instruction (`cmd`). */
  instr: string;
  /** Its arguments as written (leading whitespace removed). */
  rest: string;
}

/**
 * Docker's line handling for change lists: the lines are joined with newlines, `#` lines
 * and blank lines are skipped, a trailing `\` continues the instruction on the next line.
 * Throws `file with no instructions` when changes are given but none is an instruction.
 */
export function parseChangeLines(changes: readonly string[]): ChangeLine[] {
  if (changes.length === 0) return [];
  const out: ChangeLine[] = [];
  let pending: string | undefined;
  const finish = (line: string): void => {
    const m = /^(\S+)\s*([\s\S]*)$/.exec(line.trim());
    if (m) out.push({ instr: m[1]!.toLowerCase(), rest: m[2]!.trim() });
  };
  for (const raw of changes.join('\n').split(/\r?\n/)) {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const cont = /\\[ \t]*$/.exec(raw);
    const text = cont ? raw.slice(0, cont.index) : raw;
    pending = pending === undefined ? text.trimStart() : pending + text;
    if (!cont) {
      finish(pending);
      pending = undefined;
    }
  }
  if (pending !== undefined) finish(pending);
  if (out.length === 0) throw invalid('file with no instructions');
  return out;
}

/** JSON exec form (`["a","b"]`), or undefined for the shell form. */
function jsonForm(rest: string): string[] | undefined {
  if (!rest.startsWith('[')) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(rest);
  } catch {
    return undefined;
  }
  if (!Array.isArray(v)) return undefined;
  if (!v.every((x) => typeof x === 'string')) throw invalid('when using JSON array syntax, arrays must be comprised of strings only');
  return v as string[];
}

/** `ENV`/`LABEL` arguments: `k=v k2=v2` or the legacy `k value with spaces` (Docker's parseNameVal). */
function nameValues(instr: string, rest: string): [string, string][] {
  const words = splitWords(rest);
  if (words.length === 0) throw invalid(`${instr} requires at least one argument`);
  if (!words[0]!.includes('=')) {
    const parts = rest.split(/\s+/);
    if (parts.length < 2) throw invalid(`${instr} must have two arguments`);
    return [[parts[0]!, rest.slice(parts[0]!.length).replace(/^\s+/, '')]];
  }
  return words.map((w) => {
    const i = w.indexOf('=');
    if (i < 0) throw invalid(`Syntax error - can't find = in ${JSON.stringify(w)}. Must be of the form: name=value`);
    if (i === 0) throw invalid(`${instr} names can not be blank`);
    return [w.slice(0, i), w.slice(i + 1)];
  });
}

/** `EXPOSE` specs (`80`, `53/udp`, `8000-8002`) -> `port/proto` keys (nat.ParsePortSpecs). */
function portKeys(spec: string): string[] {
  const slash = spec.lastIndexOf('/');
  const port = slash < 0 ? spec : spec.slice(0, slash);
  const proto = slash < 0 ? 'tcp' : spec.slice(slash + 1).toLowerCase();
  if (!['tcp', 'udp', 'sctp'].includes(proto)) throw invalid(`Invalid proto: ${proto}`);
  const m = /^(\d+)(?:-(\d+))?$/.exec(port);
  if (!m) throw invalid(`Invalid containerPort: ${port}`);
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (hi < lo || hi > 65535) throw invalid(`Invalid range specified for the Port: ${port}`);
  const keys: string[] = [];
  for (let p = lo; p <= hi; p++) keys.push(`${p}/${proto}`);
  return keys;
}

/** Go durations (`30s`, `1m30s`, `500ms`) -> nanoseconds. */
function goDuration(flag: string, v: string): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(v))) {
    total += Number(m[1]) * units[m[2]!]!;
    at = re.lastIndex;
  }
  if (v === '0') return 0;
  if (at !== v.length || at === 0) throw invalid(`time: invalid duration "${v}" for flag ${flag}`);
  return Math.round(total);
}

function healthcheck(rest: string): HealthConfig {
  const words = splitWords(rest);
  const hc: HealthConfig = {};
  let i = 0;
  for (; i < words.length && words[i]!.startsWith('--'); i++) {
    const m = /^--([a-z-]+)=(.*)$/.exec(words[i]!);
    if (!m) throw invalid(`Unknown flag: ${words[i]!.slice(2)}`);
    const [, name, value] = m as unknown as [string, string, string];
    if (name === 'interval') hc.Interval = goDuration('--interval', value);
    else if (name === 'timeout') hc.Timeout = goDuration('--timeout', value);
    else if (name === 'start-period') hc.StartPeriod = goDuration('--start-period', value);
    else if (name === 'retries') {
      if (!/^\d+$/.test(value)) throw invalid(`strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
      hc.Retries = Number(value);
    } else throw invalid(`Unknown flag: ${name}`);
  }
  const kind = (words[i] ?? '').toUpperCase();
  if (kind === 'NONE') {
    if (i !== 0 || words.length > 1) throw invalid('HEALTHCHECK NONE takes no arguments');
    return { Test: ['NONE'] };
  }
  if (kind !== 'CMD') throw invalid(`Unknown type ${JSON.stringify(kind)} in HEALTHCHECK (try CMD)`);
  const body = rest.slice(rest.search(/\bCMD\b/i) + 3).trim();
  if (!body) throw invalid('Missing command after HEALTHCHECK CMD');
  const exec = jsonForm(body);
  return { Test: exec ? ['CMD', ...exec] : ['CMD-SHELL', body], ...hc };
}

function setEnv(cfg: ContainerConfig, key: string, value: string): void {
  const env = [...(cfg.Env ?? [])];
  const i = env.findIndex((e) => e.split('=')[0] === key);
  if (i >= 0) env[i] = `${key}=${value}`;
  else env.push(`${key}=${value}`);
  cfg.Env = env;
}

/**
 * Applies `docker import/commit --change` instructions (Dockerfile syntax: JSON and shell
 * forms, `$VAR` expansion where Dockerfiles expand, `\` continuations) to a copy of a
 * container config, as dockerd's BuildFromConfig does. Throws `<instr> is not a valid change
 * command` for instructions Docker refuses there, and Docker's argument errors.
 *
 * @example applyChanges({}, ['CMD ["sh"]', 'ENV A=1']) // {Cmd:['sh'], Env:['A=1']}
 */
export function applyChanges(base: ContainerConfig, changes: readonly string[]): ContainerConfig {
  const lines = parseChangeLines(changes);
  for (const l of lines) if (!VALID.has(l.instr)) throw invalid(`${l.instr} is not a valid change command`);
  const cfg: ContainerConfig = structuredClone(base);
  const state = { cmdSet: false };
  for (const l of lines) applyOne(cfg, l.instr, l.rest, state);
  return cfg;
}

function applyOne(cfg: ContainerConfig, instr: string, rest: string, state: { cmdSet: boolean }): void {
  const lookup = envLookup(cfg.Env);
  const expand = (w: string): string => expandWord(w, lookup);
  const shell = (): string[] => (cfg.Shell?.length ? cfg.Shell : ['/bin/sh', '-c']);
  const one = (name: string): string => {
    if (!rest) throw invalid(`${name} requires exactly one argument`);
    return expand(rest);
  };
  switch (instr) {
    case 'cmd':
      cfg.Cmd = jsonForm(rest) ?? [...shell(), ...(rest ? [rest] : [])];
      state.cmdSet = true;
      break;
    case 'entrypoint':
      cfg.Entrypoint = jsonForm(rest) ?? (rest === '' ? null : [...shell(), rest]);
      if (!state.cmdSet) cfg.Cmd = null;
      break;
    case 'env':
      for (const [k, v] of nameValues('ENV', rest)) setEnv(cfg, expand(k), expand(v));
      break;
    case 'label': {
      const labels = { ...(cfg.Labels ?? {}) };
      for (const [k, v] of nameValues('LABEL', rest)) labels[expand(k)] = expand(v);
      cfg.Labels = labels;
      break;
    }
    case 'expose': {
      const specs = splitWords(rest).map(expand);
      if (specs.length === 0) throw invalid('EXPOSE requires at least one argument');
      const ports = { ...(cfg.ExposedPorts ?? {}) };
      for (const s of specs) for (const k of portKeys(s)) ports[k] = {};
      cfg.ExposedPorts = ports;
      break;
    }
    case 'volume': {
      const list = (jsonForm(rest) ?? splitWords(rest)).map((v) => expand(v).trim());
      if (list.length === 0) throw invalid('VOLUME requires at least one argument');
      const vols = { ...(cfg.Volumes ?? {}) };
      for (const v of list) {
        if (!v) throw invalid('VOLUME specified can not be an empty string');
        vols[v] = {};
      }
      cfg.Volumes = vols;
      break;
    }
    case 'user':
      cfg.User = one('USER');
      break;
    case 'workdir':
      cfg.WorkingDir = path.posix.resolve('/', cfg.WorkingDir || '/', one('WORKDIR'));
      break;
    case 'stopsignal':
      cfg.StopSignal = one('STOPSIGNAL');
      break;
    case 'onbuild': {
      if (!rest) throw invalid('ONBUILD requires at least one argument');
      const trigger = (/^\S+/.exec(rest)?.[0] ?? '').toUpperCase();
      if (trigger === 'ONBUILD') throw invalid('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
      if (trigger === 'FROM' || trigger === 'MAINTAINER') throw invalid(`${trigger} isn't allowed as an ONBUILD trigger`);
      cfg.OnBuild = [...(cfg.OnBuild ?? []), rest];
      break;
    }
    case 'healthcheck':
      cfg.Healthcheck = healthcheck(rest);
      break;
  }
}
