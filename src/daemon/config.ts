import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DaemonFlags } from './flags.js';
import type { Level } from '../shared/logger.js';
import { defaultNetworkConfig, type NetworkConfig } from '../network/network-config.js';
import { DEFAULT_EVENTS_MAX_SIZE } from '../events/event-store.js';
import { applyHostDefaults } from '../containers/host-defaults.js';
import { logRotation } from '../containers/log-options.js';

/** Effective daemon configuration (flags over daemon.json over defaults). */
export interface DaemonConfig {
  /** `unix:///path` or `tcp://127.0.0.1:port` */
  hosts: string[];
  dataRoot: string;
  execRoot: string;
  pidfile: string;
  defaultRuntime: string;
  /** name -> binary path (crun and runc are always known) */
  runtimes: Record<string, { path: string }>;
  insecureRegistries: string[];
  debug: boolean;
  logLevel: Level;
  configFile?: string;
  network: NetworkConfig;
  /** Bound of the on-disk event log in bytes (`events-max-size`; berth's own key). */
  eventsMaxSize: number;
  /** `log-driver` and `log-opts`: the default LogConfig of containers (json-file, no options). */
  logConfig: { Type: string; Config: Record<string, string> };
}

export const DEFAULT_CONFIG_FILE = '/etc/berth/daemon.json';
export const DEFAULT_HOST = 'unix:///run/berth.sock';

/** daemon.json keys berthd understands (dockerd's names). */
interface FileConfig {
  'data-root'?: string;
  'exec-root'?: string;
  hosts?: string[];
  pidfile?: string;
  'default-runtime'?: string;
  runtimes?: Record<string, { path: string; runtimeArgs?: string[] }>;
  'insecure-registries'?: string[];
  debug?: boolean;
  'log-level'?: string;
  bridge?: string;
  bip?: string;
  'fixed-cidr'?: string;
  'default-address-pools'?: { base: string; size: number }[];
  mtu?: number;
  dns?: string[];
  'ip-forward'?: boolean;
  iptables?: boolean;
  'ip-masq'?: boolean;
  'events-max-size'?: number | string;
  'log-driver'?: string;
  'log-opts'?: Record<string, string>;
}

const LEVELS: Record<string, Level> = { debug: 'debug', info: 'info', warn: 'warn', warning: 'warn', error: 'error', fatal: 'error', panic: 'error' };

function readConfigFile(path: string, explicit: boolean): FileConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (!explicit && (err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`unable to configure the Docker daemon with file ${path}: ${(err as Error).message}`);
  }
  if (text.trim() === '') return {};
  try {
    const obj = JSON.parse(text) as unknown;
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new Error('not a JSON object');
    return obj as FileConfig;
  } catch (err) {
    throw new Error(`unable to configure the Docker daemon with file ${path}: ${(err as Error).message}`);
  }
}

/**
 * Merges flags, the config file and defaults. Like dockerd, a directive given both as a
 * flag and in the file is an error.
 */
export function resolveConfig(flags: DaemonFlags): DaemonConfig {
  const configFile = flags.configFile ?? DEFAULT_CONFIG_FILE;
  const file = readConfigFile(configFile, flags.configFile !== undefined);
  const pairs: [string, unknown, unknown][] = [
    ['data-root', flags.dataRoot, file['data-root']],
    ['exec-root', flags.execRoot, file['exec-root']],
    ['hosts', flags.hosts, file.hosts],
    ['pidfile', flags.pidfile, file.pidfile],
    ['default-runtime', flags.defaultRuntime, file['default-runtime']],
    ['log-level', flags.logLevel, file['log-level']],
    ['insecure-registries', flags.insecureRegistries, file['insecure-registries']],
    ['bridge', flags.bridge, file.bridge],
    ['bip', flags.bip, file.bip],
    ['fixed-cidr', flags.fixedCidr, file['fixed-cidr']],
    ['default-address-pools', flags.defaultAddressPools, file['default-address-pools']],
    ['mtu', flags.mtu, file.mtu],
    ['dns', flags.dns, file.dns],
    ['ip-forward', flags.ipForward, file['ip-forward']],
    ['iptables', flags.iptables, file.iptables],
    ['ip-masq', flags.ipMasq, file['ip-masq']],
    ['events-max-size', flags.eventsMaxSize, file['events-max-size']],
    ['log-driver', flags.logDriver, file['log-driver']],
    ['log-opts', flags.logOpts, file['log-opts']],
  ];
  const both = pairs.filter(([, f, c]) => f !== undefined && c !== undefined);
  if (both.length > 0) {
    const list = both.map(([k, f, c]) => `${k}: (from flag: ${String(f)}, from file: ${String(c)})`).join(', ');
    throw new Error(`unable to configure the Docker daemon with file ${configFile}: the following directives are specified both as a flag and in the configuration file: ${list}`);
  }
  const execRoot = flags.execRoot ?? file['exec-root'] ?? '/run/berth';
  const debug = flags.debug ?? file.debug ?? false;
  const levelName = flags.logLevel ?? file['log-level'] ?? (debug ? 'debug' : 'info');
  const logLevel = LEVELS[levelName];
  if (!logLevel) throw new Error(`unable to parse logging level: ${levelName}`);
  const runtimes: Record<string, { path: string }> = { crun: { path: 'crun' }, runc: { path: 'runc' } };
  for (const [name, r] of Object.entries(file.runtimes ?? {})) runtimes[name] = { path: r.path };
  const defaultRuntime = flags.defaultRuntime ?? file['default-runtime'] ?? 'crun';
  if (!runtimes[defaultRuntime]) throw new Error(`specified default runtime '${defaultRuntime}' does not exist`);
  const hosts = flags.hosts ?? file.hosts ?? [DEFAULT_HOST];
  for (const h of hosts) parseHost(h);
  return {
    hosts,
    dataRoot: flags.dataRoot ?? file['data-root'] ?? '/var/lib/berth',
    execRoot,
    pidfile: flags.pidfile ?? file.pidfile ?? join(execRoot, 'berthd.pid'),
    defaultRuntime,
    runtimes,
    insecureRegistries: flags.insecureRegistries ?? file['insecure-registries'] ?? [],
    debug: debug || logLevel === 'debug',
    logLevel,
    configFile: flags.configFile ?? (Object.keys(file).length ? configFile : undefined),
    network: networkConfig(flags, file),
    logConfig: logConfig(flags, file),
    eventsMaxSize: parseByteSize(flags.eventsMaxSize ?? file['events-max-size'] ?? DEFAULT_EVENTS_MAX_SIZE, 'events-max-size'),
  };
}

/** `8388608`, `512k`, `8m`, `1g` (binary units, as dockerd's sizes) -> bytes. */
export function parseByteSize(v: number | string, key: string): number {
  const m = /^(\d+)\s*([kmg]?)i?b?$/i.exec(String(v).trim());
  const n = m ? Number(m[1]) * 1024 ** ' kmg'.indexOf((m[2] || ' ').toLowerCase()) : NaN;
  if (!Number.isSafeInteger(n) || n < 1024) throw new Error(`invalid ${key}: ${v} (a size in bytes, at least 1024, e.g. 8388608 or 8m)`);
  return n;
}

/** dockerd's --log-driver/--log-opt (or daemon.json), checked as a container's would be at start. */
function logConfig(flags: DaemonFlags, file: FileConfig): { Type: string; Config: Record<string, string> } {
  const Type = flags.logDriver ?? file['log-driver'] ?? 'json-file';
  const Config: Record<string, string> = { ...file['log-opts'] };
  for (const kv of flags.logOpts ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new Error(`invalid argument "${kv}" for "--log-opt" flag: invalid key value pair format: ${kv}`);
    Config[kv.slice(0, i)] = kv.slice(i + 1);
  }
  try {
    logRotation(applyHostDefaults({ LogConfig: { Type, Config } }, { runtime: '' }).LogConfig);
  } catch (err) {
    throw new Error(`failed to set log opts: ${(err as Error).message}`);
  }
  return { Type, Config };
}

function networkConfig(flags: DaemonFlags, file: FileConfig): NetworkConfig {
  const d = defaultNetworkConfig();
  const pools = flags.defaultAddressPools?.map(parsePool) ?? file['default-address-pools'];
  const mtu = Number(flags.mtu ?? file.mtu ?? d.mtu);
  if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) throw new Error(`invalid MTU ${flags.mtu ?? file.mtu}`);
  return {
    bridgeName: flags.bridge ?? file.bridge ?? d.bridgeName,
    bip: flags.bip ?? file.bip,
    fixedCidr: flags.fixedCidr ?? file['fixed-cidr'],
    pools: pools?.length ? pools : d.pools,
    mtu,
    dns: flags.dns ?? file.dns ?? [],
    ipForward: flags.ipForward ?? file['ip-forward'] ?? true,
    iptables: flags.iptables ?? file.iptables ?? true,
    ipMasq: flags.ipMasq ?? file['ip-masq'] ?? true,
  };
}

/** `base=10.10.0.0/16,size=24` (dockerd's --default-address-pool). */
function parsePool(s: string): { base: string; size: number } {
  const kv = Object.fromEntries(s.split(',').map((p) => p.split('=') as [string, string]));
  const size = Number(kv.size);
  if (!kv.base || !Number.isInteger(size)) throw new Error(`invalid default address pool: ${s}`);
  return { base: kv.base, size };
}

/** `unix:///run/berth.sock` -> socket path; `tcp://127.0.0.1:2375` -> host/port (loopback only). */
export function parseHost(h: string): { path: string } | { host: string; port: number } {
  if (h.startsWith('unix://')) {
    const path = h.slice('unix://'.length);
    if (!path.startsWith('/')) throw new Error(`invalid bind address (${h}): unix socket path must be absolute`);
    return { path };
  }
  if (h.startsWith('/')) return { path: h };
  const m = /^tcp:\/\/(127\.0\.0\.1|localhost|\[::1\]):(\d+)$/.exec(h);
  if (m) return { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) };
  throw new Error(`invalid bind address (${h}): only unix sockets and loopback tcp are supported`);
}
