import { randomInt } from 'node:crypto';
import { RCODE, rcodeOf, withId } from './dns-wire.js';
import { exchangeWithUpstream, parseUpstream } from './upstream-exchange.js';
import type { WarnThrottle } from './warn-throttle.js';

/** How a forwarded query ended. */
export type ForwardOutcome =
  /** An upstream's reply, unchanged but for the ID, which is the client's again. */
  | { readonly kind: 'answer'; readonly reply: Buffer }
  /** Every upstream timed out, refused, or answered SERVFAIL/REFUSED. */
  | { readonly kind: 'failed' }
  /** Too many queries in flight; the query was not sent anywhere. */
  | { readonly kind: 'dropped' }
  /** The signal aborted (the address stopped being served). */
  | { readonly kind: 'cancelled' };

/** Settings of a {@link DnsForwarder}. */
export interface DnsForwarderOptions {
  /** Time allowed to each upstream attempt. */
  readonly timeoutMs: number;
  /** Queries forwarded at the same time; more are dropped. */
  readonly maxInFlight: number;
  readonly warn: WarnThrottle;
}

/**
 * Relays queries the embedded server does not answer itself to upstream resolvers, in
 * order, as Docker's resolver does: each upstream gets `timeoutMs`; a timeout, a refused
 * connection, or a SERVFAIL/REFUSED answer moves on to the next; any other answer
 * (NXDOMAIN included, and truncated replies, which the client retries over TCP) is
 * returned. Each attempt carries a fresh random ID.
 *
 * @example
 *   const fwd = new DnsForwarder({ timeoutMs: 2000, maxInFlight: 1024, warn });
 *   const out = await fwd.forward(query.raw, ['10.0.0.2'], 'udp', signal);
 */
export class DnsForwarder {
  private inFlight = 0;

  constructor(private readonly options: DnsForwarderOptions) {}

  /** Number of queries currently being forwarded. */
  get pending(): number {
    return this.inFlight;
  }

  /** Forwards `query` (raw bytes) over `transport`. Never rejects. */
  async forward(query: Buffer, upstreams: readonly string[], transport: 'udp' | 'tcp', signal: AbortSignal): Promise<ForwardOutcome> {
    if (this.inFlight >= this.options.maxInFlight) {
      this.options.warn.warn('in-flight', `more than ${this.options.maxInFlight} concurrent DNS queries forwarded; dropping`);
      return { kind: 'dropped' };
    }
    this.inFlight++;
    try {
      const clientId = query.readUInt16BE(0);
      for (const entry of upstreams) {
        if (signal.aborted) return { kind: 'cancelled' };
        const upstream = parseUpstream(entry);
        if (!upstream) {
          this.options.warn.warn(`bad:${entry}`, 'ignoring invalid DNS upstream', { upstream: entry });
          continue;
        }
        const reply = await exchangeWithUpstream(upstream, transport, withId(query, randomInt(0x10000)), this.options.timeoutMs, signal);
        if (signal.aborted) return { kind: 'cancelled' };
        if (!reply) {
          this.options.warn.warn(`up:${entry}`, 'DNS upstream did not answer', { upstream: entry, transport });
          continue;
        }
        const rcode = rcodeOf(reply);
        if (rcode === RCODE.SERVFAIL || rcode === RCODE.REFUSED) continue;
        return { kind: 'answer', reply: withId(reply, clientId) };
      }
      return { kind: 'failed' };
    } finally {
      this.inFlight--;
    }
  }
}
