import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_HOST } from '../../../api-client/host.js';
import { CliError } from '../../cli-error.js';
import { type DockerConfigFile, configDir, readDockerConfig, writeDockerConfig } from '../registry/docker-config.js';

/**
 * docker's context store, shared with the docker CLI: `<config>/contexts/meta/<sha256(name)>/meta.json`
 * per context, the current one in config.json's `currentContext`, and the built-in `default`
 * context (DOCKER_HOST, else berth's socket).
 */

/** A context's meta.json. */
export interface ContextMeta {
  Name: string;
  Metadata: { Description?: string; [k: string]: unknown };
  Endpoints: { docker?: { Host: string; SkipTLSVerify: boolean } };
}

export const DEFAULT_CONTEXT = 'default';
export const DEFAULT_DESCRIPTION = 'Current DOCKER_HOST based configuration';

const metaRoot = (): string => join(configDir(), 'contexts', 'meta');
/** A context's directory: its name's SHA-256, as docker names it. */
export const metaPath = (name: string): string => join(metaRoot(), createHash('sha256').update(name).digest('hex'));
export const tlsPath = (name: string): string => join(configDir(), 'contexts', 'tls', createHash('sha256').update(name).digest('hex'));

/** The built-in context. */
export function defaultContext(env: NodeJS.ProcessEnv = process.env): ContextMeta {
  return { Name: DEFAULT_CONTEXT, Metadata: { Description: DEFAULT_DESCRIPTION }, Endpoints: { docker: { Host: env.DOCKER_HOST || DEFAULT_HOST, SkipTLSVerify: false } } };
}

/** `--docker host=...,skip-tls-verify=...,from=...` (a CSV of key=value, docker's stringToString). */
export function dockerEndpoint(spec: string[] | undefined, base: ContextMeta['Endpoints']['docker']): ContextMeta['Endpoints']['docker'] {
  let ep = base ? { ...base } : undefined;
  for (const item of (spec ?? []).flatMap((s) => s.split(','))) {
    const i = item.indexOf('=');
    if (i < 0) throw new CliError(1, `invalid argument "${item}" for "--docker" flag: ${item} must be formatted as key=value`);
    const [k, v] = [item.slice(0, i), item.slice(i + 1)];
    if (k === 'from') ep = { ...mustRead(v).Endpoints.docker! };
    else if (k === 'host') ep = { Host: v, SkipTLSVerify: ep?.SkipTLSVerify ?? false };
    else if (k === 'skip-tls-verify') ep = { Host: ep?.Host ?? '', SkipTLSVerify: v === 'true' || v === '1' };
    else if (k === 'ca' || k === 'cert' || k === 'key') throw new CliError(1, `unable to create docker endpoint config: berth reaches daemons over unix sockets or plain tcp (no TLS material): ${k}`);
    else throw new CliError(1, `unable to create docker endpoint config: unrecognized config key: ${k}`);
  }
  return ep;
}

/** Every stored context (not `default`), sorted by name. */
export function listContexts(): ContextMeta[] {
  const out: ContextMeta[] = [];
  let dirs: string[];
  try {
    dirs = readdirSync(metaRoot(), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return out;
  }
  for (const d of dirs) {
    try {
      out.push(JSON.parse(readFileSync(join(metaRoot(), d, 'meta.json'), 'utf8')) as ContextMeta);
    } catch {
      // not a context
    }
  }
  return out.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}

/** A context by name (`default` included), or undefined. */
export function readContext(name: string): ContextMeta | undefined {
  if (name === DEFAULT_CONTEXT) return defaultContext();
  try {
    return JSON.parse(readFileSync(join(metaPath(name), 'meta.json'), 'utf8')) as ContextMeta;
  } catch {
    return undefined;
  }
}

export function writeContext(meta: ContextMeta): void {
  mkdirSync(metaPath(meta.Name), { recursive: true, mode: 0o755 });
  writeFileSync(join(metaPath(meta.Name), 'meta.json'), JSON.stringify(meta));
}

export function removeContext(name: string): void {
  rmSync(metaPath(name), { recursive: true, force: true });
  rmSync(tlsPath(name), { recursive: true, force: true });
}

/** docker's words for a context that is not in the store. */
export function notFound(name: string): string {
  return `context "${name}": context not found: open ${join(metaPath(name), 'meta.json')}: no such file or directory`;
}

/** A context by name, or docker's not-found error (exit status 1). */
export function mustRead(name: string): ContextMeta {
  const meta = readContext(name);
  if (!meta) throw new CliError(1, notFound(name));
  return meta;
}

/** Sets config.json's `currentContext` (`default` removes it), keeping the rest of the file. */
export function setCurrentContext(name: string): void {
  // the docker CLI always writes an `auths` object first
  const cfg: DockerConfigFile = { auths: {}, ...readDockerConfig() };
  if (name === DEFAULT_CONTEXT) delete cfg.currentContext;
  else cfg.currentContext = name;
  writeDockerConfig(cfg);
}

/** docker's warning when DOCKER_HOST overrides whatever context is selected. */
export function hostOverrideWarning(target = 'a context'): string {
  return `Warning: DOCKER_HOST environment variable overrides the active context. To use ${target}, either set the global --context flag, or unset DOCKER_HOST environment variable.\n`;
}

/** docker's name rule for contexts. */
export function checkContextName(name: string): void {
  if (!name) throw new CliError(1, 'context name cannot be empty');
  if (name === DEFAULT_CONTEXT) throw new CliError(1, `"${DEFAULT_CONTEXT}" is a reserved context name`);
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$/.test(name)) throw new CliError(1, `context name "${name}" is invalid, names are validated against regexp "^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$"`);
}

/**
 * The context a command uses, as docker picks it: `--context`, else `default` when DOCKER_HOST
 * is set, else DOCKER_CONTEXT, else config.json's `currentContext`, else `default`.
 */
export function currentContextName(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return flag;
  if (env.DOCKER_HOST) return DEFAULT_CONTEXT;
  if (env.DOCKER_CONTEXT) return env.DOCKER_CONTEXT;
  const c = readDockerConfig().currentContext;
  return typeof c === 'string' && c ? c : DEFAULT_CONTEXT;
}
