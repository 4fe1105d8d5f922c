import path from 'node:path';
import type { ContainerConfig } from '../api/types.js';
import { invalid } from '../shared/errors.js';

const VALID = new Set(['cmd', 'entrypoint', 'healthcheck', 'env', 'expose', 'label', 'onbuild', 'stopsignal', 'user', 'volume', 'workdir']);

/** JSON-array form (`["a","b"]`) or undefined for shell form. */
function jsonForm(rest: string): string[] | undefined {
  if (!rest.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(rest);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    /* shell form */
  }
  return undefined;
}

/** Splits `a=b c="d e"` / `a b` words honoring quotes and backslashes. */
function words(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let has = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      has = true;
    } else if (/\s/.test(c)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (quote) throw invalid(`unexpected end of statement while looking for matching ${quote}`);
  if (has || cur) out.push(cur);
  return out;
}

/** `ENV`/`LABEL` arguments: `k=v k2=v2` or legacy `k v with spaces`. */
function pairs(instr: string, rest: string): [string, string][] {
  const ws = words(rest);
  if (ws.length === 0) throw invalid(`${instr} requires at least one argument`);
  if (!ws[0]!.includes('=')) {
    const sp = rest.search(/\s/);
    if (sp < 0) throw invalid(`${instr} must have two arguments`);
    return [[ws[0]!, words(rest.slice(sp).trim()).join(' ')]];
  }
  return ws.map((w) => {
    const i = w.indexOf('=');
    if (i <= 0) throw invalid(`${instr} names can not be blank`);
    return [w.slice(0, i), w.slice(i + 1)];
  });
}

function setEnv(cfg: ContainerConfig, key: string, value: string): void {
  const env = (cfg.Env ?? []).filter((e) => e.split('=')[0] !== key);
  env.push(`${key}=${value}`);
  cfg.Env = env;
}

/**
 * Applies `docker import/commit --change` instructions (Dockerfile syntax, JSON and shell
 * forms) to a container config. Throws `<instr> is not a valid change command` for
 * instructions Docker refuses there.
 *
 * @example applyChanges({}, ['CMD ["sh"]', 'ENV A=1']) // {Cmd:['sh'], Env:['A=1']}
 */
export function applyChanges(base: ContainerConfig, changes: readonly string[]): ContainerConfig {
  const cfg: ContainerConfig = structuredClone(base);
  for (const raw of changes) {
    for (const line of raw.split(/\r?\n/)) {
      const trimmed = line.trim();
      if (!trimmed || trimmed.startsWith('#')) continue;
      const m = /^(\S+)\s*(.*)$/s.exec(trimmed)!;
      const instr = m[1]!.toLowerCase();
      const rest = m[2]!.trim();
      if (!VALID.has(instr)) throw invalid(`${instr} is not a valid change command`);
      applyOne(cfg, instr, rest);
    }
  }
  return cfg;
}

function applyOne(cfg: ContainerConfig, instr: string, rest: string): void {
  const json = jsonForm(rest);
  switch (instr) {
    case 'cmd':
      cfg.Cmd = json ?? ['/bin/sh', '-c', rest];
      break;
    case 'entrypoint':
      cfg.Entrypoint = json ?? (rest === '' ? null : ['/bin/sh', '-c', rest]);
      break;
    case 'env':
      for (const [k, v] of pairs('ENV', rest)) setEnv(cfg, k, v);
      break;
    case 'label':
      cfg.Labels = { ...(cfg.Labels ?? {}) };
      for (const [k, v] of pairs('LABEL', rest)) cfg.Labels[k] = v;
      break;
    case 'expose': {
      const ports = { ...(cfg.ExposedPorts ?? {}) };
      for (const p of words(rest)) {
        if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/i.test(p)) throw invalid(`invalid containerPort: ${p}`);
        ports[p.includes('/') ? p.toLowerCase() : `${p}/tcp`] = {};
      }
      cfg.ExposedPorts = ports;
      break;
    }
    case 'volume': {
      const vols = { ...(cfg.Volumes ?? {}) };
      for (const v of json ?? words(rest)) {
        if (!v) throw invalid('VOLUME specified can not be an empty string');
        vols[v] = {};
      }
      cfg.Volumes = vols;
      break;
    }
    case 'user':
      cfg.User = rest;
      break;
    case 'workdir':
      cfg.WorkingDir = path.posix.resolve(cfg.WorkingDir || '/', rest);
      break;
    case 'stopsignal':
      cfg.StopSignal = rest;
      break;
    case 'onbuild':
      cfg.OnBuild = [...(cfg.OnBuild ?? []), rest];
      break;
    case 'healthcheck': {
      if (rest.toUpperCase() === 'NONE') cfg.Healthcheck = { Test: ['NONE'] };
      else {
        const cm = /^CMD\s+(.*)$/is.exec(rest);
        if (!cm) throw invalid('Unknown type in HEALTHCHECK (try CMD)');
        const body = cm[1]!.trim();
        const j = jsonForm(body);
        cfg.Healthcheck = { Test: j ? ['CMD', ...j] : ['CMD-SHELL', body] };
      }
      break;
    }
  }
}
