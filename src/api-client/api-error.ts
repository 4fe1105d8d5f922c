/**
 * A non-2xx reply from the daemon. `message` is the daemon's `message` field verbatim
 * (e.g. `No such container: x`); the CLI prefixes `Error response from daemon: `.
 *
 * @example
 *   try { await containerInspect(t, 'x'); } catch (e) { if (ApiError.isNotFound(e)) ... }
 */
export class ApiError extends Error {
  readonly statusCode: number;

  constructor(statusCode: number, message: string) {
    super(message);
    this.name = 'ApiError';
    this.statusCode = statusCode;
  }

  static is(err: unknown, statusCode?: number): err is ApiError {
    return err instanceof ApiError && (statusCode === undefined || err.statusCode === statusCode);
  }

  static isNotFound(err: unknown): err is ApiError {
    return ApiError.is(err, 404);
  }
}

/** The daemon could not be reached at all (socket missing, refused). */
export class ConnectionError extends Error {
  readonly host: string;

  constructor(host: string, cause: unknown) {
    super(`Cannot connect to the Docker daemon at ${host}. Is the docker daemon running?`, { cause });
    this.name = 'ConnectionError';
    this.host = host;
  }
}
