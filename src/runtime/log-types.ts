/** Container output and log-read options: recorded by the monitor (conmon), read by runtime/log-reader, served by containers. */

/** One chunk of container output, as recorded by the monitor. */
export interface OutputChunk {
  stream: 'stdout' | 'stderr';
  data: Buffer;
  /** RFC3339Nano time the monitor recorded. */
  time: string;
}

export interface LogsOptions {
  follow?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  since?: number; // unix seconds (fractional allowed)
  until?: number;
  timestamps?: boolean;
  tail?: number | 'all';
}
