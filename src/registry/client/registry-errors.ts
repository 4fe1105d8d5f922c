import type { IncomingMessage } from 'node:http';
import { EngineError, type ErrorKind } from '../../shared/errors.js';
import { readBody } from './http-request.js';

/** One entry of a distribution-spec error body. */
export interface RegistryErrorEntry {
  code: string;
  message?: string;
  detail?: unknown;
}

/** `MANIFEST_UNKNOWN` -> `manifest unknown` (distribution errcode's Error() text). */
export function codeText(code: string): string {
  return code.toLowerCase().replace(/_/g, ' ');
}

/** Parses `{"errors":[...]}`; empty when the body is not one. */
export function parseErrors(body: Buffer): RegistryErrorEntry[] {
  try {
    const obj = JSON.parse(body.toString('utf8')) as { errors?: RegistryErrorEntry[] };
    return Array.isArray(obj.errors) ? obj.errors.filter((e) => typeof e?.code === 'string') : [];
  } catch {
    return [];
  }
}

/** Docker's rendering of registry errors: `code text: message`, joined. */
export function errorsText(errs: RegistryErrorEntry[]): string {
  return errs.map((e) => `${codeText(e.code)}: ${e.message ?? codeText(e.code)}`).join(', ');
}

function kindOf(status: number): ErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 400 || status === 405 || status === 416) return 'invalid-argument';
  return 'unavailable';
}

/** An unexpected registry reply as an EngineError; `prefix` names the operation. */
export async function responseError(res: IncomingMessage, prefix?: string): Promise<EngineError> {
  const body = res.method === 'HEAD' ? Buffer.alloc(0) : await readBody(res, 1 << 20).catch(() => Buffer.alloc(0));
  const errs = parseErrors(body);
  const status = res.statusCode ?? 0;
  let text = errs.length ? errorsText(errs) : `unexpected status from registry: ${status} ${res.statusMessage ?? ''}`.trim();
  if (!errs.length && status === 401) text = 'unauthorized: authentication required';
  return new EngineError(kindOf(status), prefix ? `${prefix}: ${text}` : text);
}
