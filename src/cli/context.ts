import type { Transport } from '../api-client/transport.js';

/** What every command gets: lazily-built API transport and the process streams. */
export interface CliContext {
  /** The `-H/--host` value, if given. */
  readonly host: string | undefined;
  /** The `-c/--context` value, if given. */
  readonly context?: string;
  /** The daemon transport (built on first use). */
  transport(): Promise<Transport>;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
  /** Writes to stdout. */
  out(text: string): void;
  /** Writes to stderr. */
  err(text: string): void;
}

/** Builds the context for the real process. */
export function processContext(host: string | undefined, context?: string): CliContext {
  let t: Promise<Transport> | undefined;
  return {
    host,
    context,
    // -H, else the selected docker context's endpoint (context-host.ts), else DOCKER_HOST or berth's socket
    transport: () =>
      (t ??= Promise.all([import('./context-host.js'), import('../api-client/transport.js')]).then(async ([h, m]) => new m.Transport({ host: await h.contextHost(host, context) }))),
    // getters: Node builds each stdio stream on first access (stdin alone costs 2-5 ms)
    get stdout() {
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
    },
    get stdin() {
      return process.stdin;
    },
    out: (s) => void process.stdout.write(s),
    err: (s) => void process.stderr.write(s),
  };
}
