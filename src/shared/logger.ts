import { isoTime } from './iso-time.js';

/** Minimal leveled logger writing logfmt-ish lines to stderr. Library code logs; it never prints to stdout. */
export type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export function createLogger(min: Level = (process.env.BERTH_LOG_LEVEL as Level) || 'info', base: Record<string, unknown> = {}): Logger {
  const emit = (level: Level, msg: string, fields?: Record<string, unknown>): void => {
    if (order[level] < order[min]) return;
    const all = { ...base, ...fields };
    const extra = Object.entries(all)
      .map(([k, v]) => `${k}=${JSON.stringify(v instanceof Error ? v.message : v)}`)
      .join(' ');
    process.stderr.write(`time="${isoTime()}" level=${level} msg=${JSON.stringify(msg)}${extra ? ' ' + extra : ''}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (f) => createLogger(min, { ...base, ...f }),
  };
}

/** A logger that drops everything, for tests. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
