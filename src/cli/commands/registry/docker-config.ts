import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Docker Hub's credential key in config.json. */
export const INDEX_SERVER = 'https://index.docker.io/v1/';

/** One `auths` entry. */
export interface AuthEntry {
  auth?: string;
  identitytoken?: string;
}

/** config.json as far as login/logout touch it (other keys are kept as they are). */
export interface DockerConfigFile {
  auths?: Record<string, AuthEntry>;
  [key: string]: unknown;
}

/** `$DOCKER_CONFIG` or `~/.docker`. */
export function configDir(): string {
  return process.env.DOCKER_CONFIG || join(homedir(), '.docker');
}

export function readDockerConfig(): DockerConfigFile {
  try {
    const obj = JSON.parse(readFileSync(join(configDir(), 'config.json'), 'utf8')) as unknown;
    return obj && typeof obj === 'object' ? (obj as DockerConfigFile) : {};
  } catch {
    return {};
  }
}

/** Writes config.json (0600, tab-indented like the docker CLI) via a temp file + rename. */
export function writeDockerConfig(cfg: DockerConfigFile): string {
  const dir = configDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'config.json');
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(cfg, null, '\t'), { mode: 0o600 });
  renameSync(tmp, file);
  return file;
}

/** The registry domain of an image reference (`busybox` -> docker.io, `127.0.0.1:5000/x` -> 127.0.0.1:5000). */
export function referenceDomain(ref: string): string {
  const i = ref.indexOf('/');
  const first = i < 0 ? '' : ref.slice(0, i);
  if (i > 0 && (first.includes('.') || first.includes(':') || first === 'localhost') && first.toLowerCase() === first) {
    return first === 'index.docker.io' ? 'docker.io' : first;
  }
  return 'docker.io';
}

/** The config.json key for a server given to login/logout or a reference domain. */
export function credentialKey(server: string | undefined): string {
  const s = (server ?? '').trim().replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  if (!s || s === 'docker.io' || s === 'index.docker.io' || s === 'registry-1.docker.io') return INDEX_SERVER;
  return s;
}

/** Stored username/password for a server key, if any. */
export function storedCredentials(key: string): { username: string; password: string } | undefined {
  const auths = readDockerConfig().auths ?? {};
  const entry = auths[key] ?? auths[`https://${key}`] ?? auths[`http://${key}`];
  if (!entry?.auth) return undefined;
  const s = Buffer.from(entry.auth, 'base64').toString('utf8');
  const i = s.indexOf(':');
  return i > 0 ? { username: s.slice(0, i), password: s.slice(i + 1) } : undefined;
}

/** The `X-Registry-Auth` header for pulling/pushing `ref`, as the docker CLI builds it from config.json. */
export function registryAuthFor(ref: string): string | undefined {
  const key = credentialKey(referenceDomain(ref));
  const c = storedCredentials(key);
  if (!c) return undefined;
  return Buffer.from(JSON.stringify({ username: c.username, password: c.password, serveraddress: key })).toString('base64url');
}
