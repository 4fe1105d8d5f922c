import { existsSync } from 'node:fs';
import type { HostConfig } from '../api/types.js';
import { invalid } from '../shared/errors.js';
import { mergeDaemonLogOpts } from './log-options.js';

/** dockerd's built-in log drivers; any other name would be a plugin, which berth has none of. */
const LOG_DRIVERS = ['awslogs', 'etwlogs', 'fluentd', 'gcplogs', 'gelf', 'journald', 'json-file', 'local', 'logentries', 'none', 'splunk', 'syslog'];

/** The options dockerd's file drivers accept (`unknown log opt 'x' for json-file log driver` otherwise). */
const LOG_OPTS: Record<string, readonly string[]> = {
  'json-file': ['max-file', 'max-size', 'compress', 'labels', 'labels-regex', 'env', 'env-regex', 'tag'],
  local: ['max-file', 'max-size', 'compress'],
};

/** Docker's default /dev/shm size (64 MiB). */
const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

/** What the daemon's defaults are made of. */
export interface HostDefaults {
  /** The default runtime's name (HostConfig.Runtime when unset). */
  runtime: string;
  /** cgroup v2 host: CgroupnsMode defaults to private (host on v1), as dockerd. Default: probed. */
  cgroup2?: boolean;
  /** The daemon's log driver (`log-driver`), default json-file. */
  logDriver?: string;
  /** The daemon's `log-opts`, taken by containers of its driver for keys they do not set. */
  logOpts?: Record<string, string>;
}

/**
 * Fills what dockerd fills at create (its adaptContainerSettings): LogConfig.Type, Runtime,
 * ShmSize, IpcMode `private`, CgroupnsMode; and refuses a log driver it does not have
 * (`error looking up logging plugin asdf: plugin "asdf" not found`) or an option the file
 * drivers do not take. Mutates and returns `hc`.
 */
export function applyHostDefaults(hc: HostConfig, d: HostDefaults): HostConfig {
  const type = hc.LogConfig?.Type || d.logDriver || 'json-file';
  if (!LOG_DRIVERS.includes(type)) throw invalid(`error looking up logging plugin ${type}: plugin "${type}" not found`);
  const config = mergeDaemonLogOpts({ Type: type, Config: { ...hc.LogConfig?.Config } }, { Type: d.logDriver || 'json-file', Config: d.logOpts }).Config!;
  const allowed = LOG_OPTS[type];
  for (const key of Object.keys(config)) {
    if (allowed && !allowed.includes(key)) throw invalid(type === 'local' ? `unknown log opt '${key}' for log driver local` : `unknown log opt '${key}' for ${type} log driver`);
  }
  hc.LogConfig = { Type: type, Config: config };
  hc.Runtime = hc.Runtime || d.runtime;
  if (!hc.ShmSize) hc.ShmSize = DEFAULT_SHM_SIZE;
  hc.IpcMode = hc.IpcMode || 'private';
  hc.CgroupnsMode = hc.CgroupnsMode || ((d.cgroup2 ?? isCgroup2()) ? 'private' : 'host');
  return hc;
}

let unified: boolean | undefined;
const isCgroup2 = (): boolean => (unified ??= existsSync('/sys/fs/cgroup/cgroup.controllers'));
