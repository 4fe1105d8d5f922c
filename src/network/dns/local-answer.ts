import { isIPv4 } from 'node:net';
import dnsPacket from 'dns-packet';
import type { Answer } from 'dns-packet';
import type { DnsScope } from './dns-types.js';
import { FLAG_CD, FLAG_RA, FLAG_RD, FLAG_TC, MAX_MESSAGE, type DnsQuery } from './dns-wire.js';
import { addressFromReverseName } from './reverse-name.js';

/** TTL of every record the embedded server makes up (Docker's `respTTL`). */
export const LOCAL_TTL = 600;

/** Where the query came from, as the scope sees it. */
export interface QueryOrigin {
  /** The listening address the query arrived at (the network's gateway). */
  readonly server: string;
  /** The asking container's address. */
  readonly client: string;
  readonly transport: 'udp' | 'tcp';
}

/**
 * Docker's answer for a container name or address, or `undefined` when the query is not
 * about one of them and goes upstream:
 * - A: every address, shuffled per query (Docker's round robin), TTL 600;
 * - AAAA and MX for a known name: NOERROR with no records (Docker's "implicit MX" too);
 * - PTR for a container address: its name.
 * Flags as Docker's: RA set, AA not set, RD and CD copied; the question is echoed; over UDP,
 * records that do not fit the client's limit are dropped and TC is set. May throw if the
 * scope throws.
 *
 * @example
 *   const reply = answerLocally(scope, query, { server: '10.1.0.1', client: '10.1.0.2', transport: 'udp' });
 *   if (reply) send(reply); else forward(query);
 */
export function answerLocally(scope: DnsScope, query: DnsQuery, origin: QueryOrigin): Buffer | undefined {
  const name = query.lookupName;
  const { type, class: klass } = query.question;
  if (!name || (klass !== undefined && klass !== 'IN')) return undefined;
  const owner = query.question.name;
  let answers: Answer[];
  switch (type) {
    case 'A': {
      const addresses = scope.lookup(origin.server, origin.client, name);
      if (!addresses) return undefined;
      answers = shuffled(addresses.filter((a) => isIPv4(a))).map((data) => ({ type: 'A', name: owner, ttl: LOCAL_TTL, data }));
      break;
    }
    case 'AAAA':
    case 'MX':
      if (!scope.lookup(origin.server, origin.client, name)) return undefined;
      answers = [];
      break;
    case 'PTR': {
      const address = addressFromReverseName(name);
      const host = address === undefined ? undefined : scope.reverse(origin.server, origin.client, address);
      if (!host) return undefined;
      answers = [{ type: 'PTR', name: owner, ttl: LOCAL_TTL, data: host.replace(/\.$/, '') }];
      break;
    }
    default:
      return undefined;
  }
  return encodeFitting(query, answers, origin.transport === 'udp' ? query.udpLimit : MAX_MESSAGE, origin.transport === 'udp');
}

function encodeFitting(query: DnsQuery, answers: Answer[], limit: number, markTruncated: boolean): Buffer {
  const kept = [...answers];
  let flags = (query.flags & (FLAG_RD | FLAG_CD)) | FLAG_RA;
  const packet = () => ({ type: 'response' as const, id: query.id, flags, questions: [query.question], answers: kept });
  while (kept.length > 0 && dnsPacket.encodingLength(packet()) > limit) {
    kept.pop();
    if (markTruncated) flags |= FLAG_TC;
  }
  return dnsPacket.encode(packet());
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
