import { EngineError, type ErrorKind } from '../shared/errors.js';

const STATUS: Record<ErrorKind, number> = {
  'invalid-argument': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'not-modified': 304,
  'not-implemented': 501,
  unavailable: 503,
  internal: 500,
};

/**
 * The one place an error becomes an HTTP status (Docker's errdefs -> httpstatus mapping).
 * Anything that is not an EngineError is a 500.
 *
 * @example errorStatus(new EngineError('not-found', 'No such container: x')) // 404
 */
export function errorStatus(err: unknown): number {
  return EngineError.is(err) ? STATUS[err.kind] : 500;
}
