import { PassThrough } from 'node:stream';
import { detachKeyFilter } from './detach-keys.js';
import type { AttachSession, OutputChunk } from './container-service.js';
import type { RuntimeAttach } from './ports.js';

/** An attach waiting for the container to start; start() connects it before `runtime start`. */
export interface PendingAttach {
  stdin: boolean;
  connect(conn: RuntimeAttach): void;
  /** The container will never start for this session (removed / detached). */
  cancel(): void;
}

export interface SessionOptions {
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  stream: boolean;
  /** Past output to replay first (logs=true). */
  replay?: () => AsyncIterable<OutputChunk>;
  /** TTY only: this key sequence on stdin detaches (Docker's --detach-keys). */
  detachKeys?: number[];
  /** Connect now (running container) or register as pending (created); undefined = never (exited). */
  connection: { kind: 'now'; conn: RuntimeAttach } | { kind: 'pending'; register(p: PendingAttach): () => void } | { kind: 'none' };
  now: () => string;
}

/**
 * Builds an AttachSession over a runtime attach connection that may arrive later (attach
 * before start). Stdin written before the connection is buffered in a PassThrough.
 */
export function createAttachSession(o: SessionOptions): AttachSession {
  let resolveConn!: (c: RuntimeAttach | undefined) => void;
  const connected = new Promise<RuntimeAttach | undefined>((r) => {
    resolveConn = r;
  });
  let conn: RuntimeAttach | undefined;
  let detached = false;
  let unregister = (): void => {};
  const stdin = o.stdin ? new PassThrough() : undefined;
  // Client stdin -> (detach-key filter for TTYs) -> container stdin once connected.
  const toContainer = stdin && o.tty && o.detachKeys ? stdin.pipe(detachKeyFilter(o.detachKeys, () => session.detach())) : stdin;

  const connect = (c: RuntimeAttach): void => {
    if (detached) {
      c.close();
      return;
    }
    conn = c;
    if (toContainer && c.stdin) toContainer.pipe(c.stdin);
    resolveConn(c);
  };
  if (o.connection.kind === 'now') connect(o.connection.conn);
  else if (o.connection.kind === 'pending') unregister = o.connection.register({ stdin: o.stdin, connect, cancel: () => resolveConn(undefined) });
  else resolveConn(undefined);

  const wanted = (s: 'stdout' | 'stderr'): boolean => (s === 'stdout' ? o.stdout : o.stderr);

  async function* output(): AsyncGenerator<OutputChunk> {
    if (o.replay) {
      for await (const c of o.replay()) {
        if (detached) return;
        if (wanted(c.stream)) yield c;
      }
    }
    if (!o.stream) return;
    const c = await connected;
    if (!c) return;
    for await (const chunk of c.output) {
      if (detached) return;
      if (wanted(chunk.stream)) yield { stream: chunk.stream, data: chunk.data, time: o.now() };
    }
  }

  const session: AttachSession = {
    tty: o.tty,
    output: output(),
    stdin,
    detach(): void {
      if (detached) return;
      detached = true;
      unregister();
      resolveConn(undefined);
      if (toContainer && conn?.stdin) toContainer.unpipe(conn.stdin);
      conn?.close();
    },
  };
  return session;
}
