import type { AttachSession } from '../containers/container-service.js';
import type { HijackedConn } from './hijack.js';
import { frame } from './stdcopy.js';

/**
 * Copies an attach session over a hijacked connection: container output -> client
 * (stdcopy frames unless TTY), client bytes -> container stdin. When the client
 * half-closes (docker CLI CloseWrite after stdin EOF) the container's stdin is ended;
 * output keeps flowing until the container's stdio closes, then our side is closed.
 * If the client goes away first, the session is detached.
 */
export async function pumpAttach(conn: HijackedConn, session: AttachSession): Promise<void> {
  let gone = false;
  conn.onClose(() => {
    gone = true;
    session.detach();
  });
  if (session.stdin) {
    const stdin = session.stdin;
    stdin.on('error', () => {});
    conn.input.pipe(stdin);
  } else {
    conn.input.resume();
  }
  try {
    for await (const chunk of session.output) {
      if (gone) break;
      const bytes = session.tty ? chunk.data : frame(chunk.stream, chunk.data);
      if (!conn.output.write(bytes)) await drained(conn, () => gone);
    }
  } finally {
    if (!gone) conn.end();
  }
}

function drained(conn: HijackedConn, isGone: () => boolean): Promise<void> {
  if (isGone()) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      conn.output.off('drain', done);
      conn.output.off('close', done);
      resolve();
    };
    conn.output.once('drain', done);
    conn.output.once('close', done);
  });
}
