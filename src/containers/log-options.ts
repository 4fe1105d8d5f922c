import type { HostConfig } from '../api/types.js';
import { invalid } from '../shared/errors.js';

/** A container's log driver and its options (HostConfig.LogConfig; the daemon's `log-driver`/`log-opts`). */
export interface LogConfig {
  Type: string;
  Config?: Record<string, string>;
}

/** What berth's rotation needs: bytes per file, files kept (the live one included), whether rotated files are gzipped. */
export interface LogRotation {
  maxSize: number;
  maxFiles: number;
  compress: boolean;
}

/** The local driver's defaults (moby daemon/logger/local): 20 MiB files, 5 of them, compressed. */
const LOCAL_MAX_SIZE = 20 * 1024 * 1024;
const LOCAL_MAX_FILES = 5;

/**
 * dockerd's `mergeAndVerifyLogConfig`: a container of the daemon's driver takes the daemon's
 * `log-opts` for keys it does not set itself. Mutates and returns `lc`.
 */
export function mergeDaemonLogOpts(lc: LogConfig, daemon: LogConfig | undefined): LogConfig {
  lc.Config ??= {};
  if (daemon && lc.Type === daemon.Type) {
    for (const [k, v] of Object.entries(daemon.Config ?? {})) if (!(k in lc.Config)) lc.Config[k] = v;
  }
  return lc;
}

/**
 * The rotation a container's log options ask for, or undefined for an unbounded log
 * (json-file without max-size, Docker's default). Throws Docker's start-time errors
 * (`failed to initialize logging driver: invalid size: 'abc'`), which dockerd only raises
 * when the container starts, not at create.
 */
export function logRotation(lc: LogConfig | HostConfig['LogConfig'] | undefined): LogRotation | undefined {
  const type = lc?.Type ?? 'json-file';
  const cfg = lc?.Config ?? {};
  try {
    if (type === 'local') return localRotation(cfg);
    if (type === 'json-file') return jsonFileRotation(cfg);
  } catch (err) {
    throw invalid(`failed to initialize logging driver: ${(err as Error).message}`);
  }
  return undefined;
}

function jsonFileRotation(cfg: Record<string, string>): LogRotation | undefined {
  let maxSize = -1;
  if (cfg['max-size'] !== undefined) {
    maxSize = fromHumanSize(cfg['max-size']);
    if (maxSize <= 0) throw new Error('max-size must be a positive number');
  }
  let maxFiles = 1;
  if (cfg['max-file'] !== undefined) {
    maxFiles = atoi(cfg['max-file']);
    if (maxFiles < 1) throw new Error('max-file cannot be less than 1');
  }
  const compress = cfg.compress !== undefined && parseBool(cfg.compress);
  if (compress && (maxFiles === 1 || maxSize === -1)) {
    throw new Error('compress cannot be true when max-file is less than 2 or max-size is not set');
  }
  return maxSize > 0 ? { maxSize, maxFiles, compress } : undefined;
}

function localRotation(cfg: Record<string, string>): LogRotation | undefined {
  let maxSize = LOCAL_MAX_SIZE;
  let maxFiles = LOCAL_MAX_FILES;
  let compress = true;
  const size = cfg['max-size'];
  if (size !== undefined) maxSize = wrap(`invalid value for max-size: ${size}`, () => fromHumanSize(size));
  const files = cfg['max-file'];
  if (files !== undefined) maxFiles = wrap(`invalid value for max-file: ${files}`, () => atoi(files));
  if (cfg.compress !== undefined) compress = wrap('error reading compress log option', () => parseBool(cfg.compress!));
  if (maxFiles < 0) throw new Error('max file count cannot be less than 0');
  if (compress && maxFiles <= 1) throw new Error('compression cannot be enabled when max file count is 1');
  return maxSize > 0 ? { maxSize, maxFiles: Math.max(1, maxFiles), compress: compress && maxFiles > 1 } : undefined;
}

function wrap<T>(context: string, f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw new Error(`${context}: ${(err as Error).message}`);
  }
}

const DECIMAL: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };

/** go-units FromHumanSize: `10m`, `1.5k`, `10MB`, `1 KiB` (decimal units whatever the `i`), truncated to bytes. */
export function fromHumanSize(s: string): number {
  const m = /^(\d+(?:\.\d+)*) ?([kmgtp])?i?b?$/i.exec(s);
  const n = m ? Number(m[1]) : NaN;
  if (!m || !Number.isFinite(n)) throw new Error(`invalid size: '${s}'`);
  return Math.trunc(n * DECIMAL[(m[2] ?? '').toLowerCase()]!);
}

/** Go's strconv.Atoi (decimal, optional sign). */
function atoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(s);
}

/** Go's strconv.ParseBool. */
function parseBool(s: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  throw new Error(`strconv.ParseBool: parsing ${JSON.stringify(s)}: invalid syntax`);
}

/** The bits of the service a running container's rotation needs. */
interface RotationContext {
  deps: { runtime: { rotateLogs?(req: { logPath: string; stateDir: string; maxSize: number; maxFiles: number; compress: boolean; stop: AbortSignal; onError?: (err: unknown) => void }): void } };
  paths(id: string): { log: string; stateDir: string };
  log: { warn(msg: string, fields?: Record<string, unknown>): void };
}

/** Rotate a running container's log while its monitor runs (`stop` aborts at exit). No-op for an unbounded log. */
export function startLogRotation(ctx: RotationContext, rec: { id: string; hostConfig: HostConfig }, stop: AbortSignal, rotation = safeRotation(rec.hostConfig)): void {
  if (!rotation || !ctx.deps.runtime.rotateLogs) return;
  const p = ctx.paths(rec.id);
  ctx.deps.runtime.rotateLogs({ logPath: p.log, stateDir: p.stateDir, ...rotation, stop, onError: (err) => ctx.log.warn('log rotation failed', { id: rec.id, err }) });
}

function safeRotation(hc: HostConfig): LogRotation | undefined {
  try {
    return logRotation(hc.LogConfig);
  } catch {
    return undefined;
  }
}
