import { PassThrough, type Readable } from 'node:stream';
import type { HijackedConnection, Transport } from './transport.js';

export interface AttachOptions {
  stream?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  logs?: boolean;
  detachKeys?: string;
}

/**
 * POST /containers/{id}/attach, hijacked (`Upgrade: tcp`). Write stdin to `socket`,
 * `socket.end()` to half-close; read output from `output` (framed unless TTY).
 */
export interface AttachedStreams extends HijackedConnection {
  /** Everything the server sends after the 101 headers (head bytes included). */
  output: Readable;
}

/** Attaches to a container's stdio over a hijacked connection. */
export async function containerAttach(t: Transport, id: string, opts: AttachOptions = {}): Promise<AttachedStreams> {
  const conn = await t.hijack(`/containers/${encodeURIComponent(id)}/attach`, {
    method: 'POST',
    query: {
      stream: opts.stream ?? true,
      stdin: opts.stdin || undefined,
      stdout: opts.stdout ?? true,
      stderr: opts.stderr ?? true,
      logs: opts.logs || undefined,
      detachKeys: opts.detachKeys,
    },
  });
  return withOutput(conn);
}

/**
 * The hijacked connection's output as one stream: the bytes read with the 101 headers first, then
 * the socket; a peer that hangs up ends it, any other socket error fails it.
 */
export function withOutput(conn: HijackedConnection): AttachedStreams {
  const output = new PassThrough();
  if (conn.head.length) output.write(conn.head);
  conn.socket.pipe(output);
  conn.socket.on('error', (e: Error & { code?: string }) => {
    if (e.code === 'EPIPE' || e.code === 'ECONNRESET') output.end();
    else output.destroy(e);
  });
  return { ...conn, output };
}
