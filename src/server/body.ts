import type { IncomingMessage } from 'node:http';
import { invalid } from '../shared/errors.js';
import type { JsonShape } from '../api/json-shapes.js';
import { canonicalKeys } from './json-keys.js';

const MAX_JSON = 16 * 1024 * 1024;

/** Reads the whole request body (JSON-sized: 16 MiB cap). */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON) throw invalid('request body too large');
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}

/** Docker's CheckForJSON: a non-empty body must be `application/json` when a type is given. */
function checkContentType(req: IncomingMessage): void {
  const ct = req.headers['content-type'];
  if (!ct) return;
  const media = ct.split(';')[0].trim().toLowerCase();
  if (media !== 'application/json') throw invalid(`unsupported Content-Type header (${ct}): must be 'application/json'`);
}

/**
 * Parses a JSON body; undefined when empty. Malformed JSON -> 400 with Go's
 * encoding/json wording (`invalid character 'x' looking for beginning of value`).
 * With a `shape` (src/api/json-shapes.ts), keys are matched to its field names
 * case-insensitively, as dockerd's decoder does (`CPURealtimeRuntime` -> `CpuRealtimeRuntime`).
 */
export async function readJson<T>(req: IncomingMessage, shape?: JsonShape): Promise<T | undefined> {
  const buf = await readBody(req);
  const text = buf.toString('utf8');
  if (text.trim() === '') return undefined;
  checkContentType(req);
  return parseJson<T>(text, shape);
}

function parseJson<T>(text: string, shape?: JsonShape): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw invalid(goJsonError(text, err));
  }
  return (shape === undefined ? parsed : canonicalKeys(parsed, shape)) as T;
}

/** Approximates Go's encoding/json syntax error text for a JS parse failure. */
export function goJsonError(text: string, err: unknown): string {
  const first = text.trimStart()[0];
  if (first !== undefined && !'{["-0123456789tfn'.includes(first)) return `invalid character '${first}' looking for beginning of value`;
  const msg = err instanceof Error ? err.message : String(err);
  if (/end of JSON|Unterminated/i.test(msg)) return 'unexpected EOF';
  const pos = /position (\d+)/.exec(msg);
  if (pos) {
    const ch = text[Number(pos[1])];
    if (ch !== undefined) return `invalid character '${ch}' in JSON at offset ${Number(pos[1]) + 1}`;
  }
  return `invalid JSON: ${msg}`;
}

/**
 * The JSON body of an `Upgrade: tcp` request (exec start): Node does not parse bodies of
 * upgrade requests, so `Content-Length` bytes are taken from `head` and then the socket;
 * what follows stays in `upgrade.head` for the hijacked stream.
 */
export async function readUpgradeJson<T>(req: IncomingMessage, upgrade: { socket: import('node:stream').Duplex; head: Buffer }, shape?: JsonShape): Promise<T | undefined> {
  const len = Number(req.headers['content-length'] ?? 0);
  if (!Number.isFinite(len) || len <= 0) return undefined;
  if (len > MAX_JSON) throw invalid('request body too large');
  let buf = upgrade.head;
  const { socket } = upgrade;
  while (buf.length < len) {
    const chunk = await new Promise<Buffer | null>((resolve) => {
      const onData = (d: Buffer): void => {
        cleanup();
        socket.pause();
        resolve(d);
      };
      const onEnd = (): void => {
        cleanup();
        resolve(null);
      };
      const cleanup = (): void => {
        socket.off('data', onData);
        socket.off('end', onEnd);
        socket.off('close', onEnd);
      };
      socket.on('data', onData);
      socket.once('end', onEnd);
      socket.once('close', onEnd);
      socket.resume();
    });
    if (chunk === null) throw invalid('unexpected EOF');
    buf = Buffer.concat([buf, chunk]);
  }
  upgrade.head = buf.subarray(len);
  req.headers['content-length'] = '0'; // consumed: the hijack must not skip it again
  const text = buf.subarray(0, len).toString('utf8');
  if (text.trim() === '') return undefined;
  return parseJson<T>(text, shape);
}
