/**
 * One error type for the whole engine, with a closed set of kinds.
 * The HTTP edge maps kinds to status codes in one place (server/error-status.ts);
 * services never know about HTTP.
 *
 * @example
 *   throw new EngineError('not-found', `No such container: ${name}`);
 *   throw EngineError.wrap('internal', 'failed to mount rootfs', err);
 */
export type ErrorKind =
  | 'invalid-argument' // 400
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'not-found' // 404
  | 'conflict' // 409
  | 'not-modified' // 304
  | 'not-implemented' // 501
  | 'unavailable' // 503
  | 'internal'; // 500

export class EngineError extends Error {
  readonly kind: ErrorKind;

  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
    this.name = 'EngineError';
  }

  /** `failed to <action>: <cause>` with the cause kept. */
  static wrap(kind: ErrorKind, action: string, cause: unknown): EngineError {
    const why = cause instanceof Error ? cause.message : String(cause);
    return new EngineError(kind, `${action}: ${why}`, { cause });
  }

  static is(err: unknown, kind?: ErrorKind): err is EngineError {
    return err instanceof EngineError && (kind === undefined || err.kind === kind);
  }
}

export const notFound = (message: string): EngineError => new EngineError('not-found', message);
export const invalid = (message: string): EngineError => new EngineError('invalid-argument', message);
export const conflict = (message: string): EngineError => new EngineError('conflict', message);
export const forbidden = (message: string): EngineError => new EngineError('forbidden', message);
