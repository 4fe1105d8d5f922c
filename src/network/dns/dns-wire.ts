import dnsPacket from 'dns-packet';
import type { Question } from 'dns-packet';

/** Header flag bits (RFC 1035 4.1.1). */
export const FLAG_QR = 0x8000;
export const FLAG_TC = 0x0200;
export const FLAG_RD = 0x0100;
export const FLAG_RA = 0x0080;
export const FLAG_CD = 0x0010;

/** Response codes the server produces or looks at. */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** Largest UDP reply to a client that did not advertise an EDNS buffer size. */
export const CLASSIC_UDP_LIMIT = 512;
/** Largest DNS message (TCP's 2-byte length prefix). */
export const MAX_MESSAGE = 65535;

/** A well-formed standard query with exactly one question. */
export interface DnsQuery {
  /** The query bytes as received. */
  readonly raw: Buffer;
  readonly id: number;
  /** The 16 header flag bits as received. */
  readonly flags: number;
  readonly question: Question;
  /** The question section exactly as received, echoed in replies built here. */
  readonly questionBytes: Buffer;
  /**
   * The name to look up locally: lower case, no trailing dot; `undefined` when the question
   * name does not survive a decode/encode round trip unchanged (escaped dots, compression
   * pointers, ...) and so must not be matched against container names.
   */
  readonly lookupName: string | undefined;
  /** Largest UDP reply the client accepts: its EDNS buffer size, at least 512. */
  readonly udpLimit: number;
}

/** What to do with an incoming datagram or TCP frame. */
export type ParsedMessage =
  | { readonly kind: 'ignore' }
  | { readonly kind: 'reject'; readonly reply: Buffer }
  | { readonly kind: 'query'; readonly query: DnsQuery };

/**
 * Classifies an incoming message the way Docker's resolver (miekg/dns) does: shorter than
 * a header or a response → ignored; another opcode → NOTIMP; not exactly one question or
 * undecodable → FORMERR (header only); otherwise a query to answer. Never throws.
 *
 * @example
 *   const m = parseQuery(datagram);
 *   if (m.kind === 'reject') send(m.reply);
 */
export function parseQuery(raw: Buffer): ParsedMessage {
  if (raw.length < 12) return { kind: 'ignore' };
  const id = raw.readUInt16BE(0);
  const flags = raw.readUInt16BE(2);
  if (flags & FLAG_QR) return { kind: 'ignore' };
  const opcode = (flags >> 11) & 0xf;
  if (opcode !== 0) return { kind: 'reject', reply: headerOnly(id, flags, RCODE.NOTIMP) };
  if (raw.readUInt16BE(4) !== 1) return { kind: 'reject', reply: headerOnly(id, flags, RCODE.FORMERR) };
  try {
    const decoded = dnsPacket.decode(raw);
    const question = decoded.questions?.[0];
    if (!question) return { kind: 'reject', reply: headerOnly(id, flags, RCODE.FORMERR) };
    const questionBytes = Buffer.from(raw.subarray(12, 12 + questionLength(raw)));
    const opt = decoded.additionals?.find((rr) => rr.type === 'OPT');
    const advertised = opt && 'udpPayloadSize' in opt ? opt.udpPayloadSize : 0;
    return {
      kind: 'query',
      query: {
        raw,
        id,
        flags,
        question,
        questionBytes,
        lookupName: roundTrips(question, questionBytes) ? question.name.replace(/\.$/, '').toLowerCase() : undefined,
        udpLimit: Math.min(MAX_MESSAGE, Math.max(CLASSIC_UDP_LIMIT, advertised)),
      },
    };
  } catch {
    return { kind: 'reject', reply: headerOnly(id, flags, RCODE.FORMERR) };
  }
}

/** A reply carrying only `rcode` and the echoed question (what Docker sends as SERVFAIL). */
export function rcodeReply(query: DnsQuery, rcode: number): Buffer {
  const header = headerOnly(query.id, query.flags, rcode);
  header.writeUInt16BE(1, 4);
  return Buffer.concat([header, query.questionBytes]);
}

/** A copy of `message` with its ID replaced. */
export function withId(message: Buffer, id: number): Buffer {
  const copy = Buffer.from(message);
  copy.writeUInt16BE(id, 0);
  return copy;
}

/**
 * Makes a relayed upstream reply fit the client's UDP limit: when it is larger, the reply
 * shrinks to its header with TC set plus the echoed question, so the client retries over TCP.
 */
export function fitUdp(reply: Buffer, query: DnsQuery): Buffer {
  if (reply.length <= query.udpLimit) return reply;
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.id, 0);
  header.writeUInt16BE(reply.readUInt16BE(2) | FLAG_TC, 2);
  header.writeUInt16BE(1, 4);
  return Buffer.concat([header, query.questionBytes]);
}

/** The response code of a reply (low 4 header bits; extended RCODEs are not considered). */
export function rcodeOf(reply: Buffer): number {
  return reply.readUInt16BE(2) & 0xf;
}

/** Whether `message` is a response carrying `id`. */
export function isResponseTo(message: Buffer, id: number): boolean {
  return message.length >= 12 && message.readUInt16BE(0) === id && (message.readUInt16BE(2) & FLAG_QR) !== 0;
}

function headerOnly(id: number, queryFlags: number, rcode: number): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(FLAG_QR | (queryFlags & (0x7800 | FLAG_RD | FLAG_CD)) | rcode, 2);
  return header;
}

/** Wire length of the first question; the message has already decoded successfully. */
function questionLength(raw: Buffer): number {
  let offset = 12;
  for (;;) {
    const len = raw[offset]!;
    if (len === 0) {
      offset += 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      offset += 2;
      break;
    }
    offset += 1 + len;
  }
  return offset + 4 - 12;
}

function roundTrips(question: Question, questionBytes: Buffer): boolean {
  try {
    const encoded = dnsPacket.encode({ type: 'query', id: 0, flags: 0, questions: [question] });
    return encoded.subarray(12).equals(questionBytes);
  } catch {
    return false;
  }
}
