import type { Logger } from '../../shared/logger.js';

/** The part of a logger the DNS server uses. */
export type DnsLogger = Pick<Logger, 'warn'>;

/**
 * Passes a warning on at most once per `intervalMs` for each key, so a dead upstream or a
 * query flood cannot flood the log (Docker's resolver logs such conditions every 2 s).
 *
 * @example
 *   const warn = new WarnThrottle(logger);
 *   warn.warn('upstream:10.0.0.2', 'DNS upstream did not answer', { upstream: '10.0.0.2' });
 */
export class WarnThrottle {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly logger: DnsLogger | undefined,
    private readonly intervalMs = 2000,
  ) {}

  /** Logs `msg` unless `key` was logged less than the interval ago. */
  warn(key: string, msg: string, fields?: Record<string, unknown>): void {
    if (!this.logger) return;
    const now = Date.now();
    const prev = this.last.get(key);
    if (prev !== undefined && now - prev < this.intervalMs) return;
    if (this.last.size > 1000) this.last.clear();
    this.last.set(key, now);
    try {
      this.logger.warn(msg, fields);
    } catch {
      // a failing logger must not break DNS
    }
  }
}
