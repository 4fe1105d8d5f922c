import { spawnSync } from 'node:child_process';
import type { AttachedStreams } from '../../../api-client/container-attach.js';
import { copyOutput } from '../../../api-client/container-logs.js';
import { containerKill, containerResize } from '../../../api-client/containers.js';
import type { Transport } from '../../../api-client/transport.js';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';

/** How the local terminal is wired to an attached container. */
export interface SessionOptions {
  tty: boolean;
  /** Forward local stdin to the container. */
  stdin: boolean;
  /** `ctrl-p,ctrl-q` by default. */
  detachKeys?: string;
  /** Forward SIGINT/SIGTERM/... to the container (non-TTY only, like docker). */
  sigProxy: boolean;
  /** Resizes the remote TTY (default: the container's, `POST /containers/{id}/resize`; exec passes its own). */
  resizeTo?: (rows: number, cols: number) => Promise<void>;
}

/** A running attach: `done` settles when output ends or the user detaches. */
export interface Session {
  done: Promise<{ detached: boolean }>;
  /** Sends the current terminal size (call after start). */
  resize(): Promise<void>;
  /** Restores the terminal and drops listeners. */
  close(): void;
}

const PROXIED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

/**
 * Wires stdio to a hijacked attach connection the way docker's CLI does: raw mode and
 * resize for TTYs, stdin half-close at EOF, client-side detach keys, signal proxying.
 */
export function startSession(ctx: CliContext, t: Transport, id: string, conn: AttachedStreams, o: SessionOptions): Session {
  const cleanups: (() => void)[] = [];
  let detach!: () => void;
  const detached = new Promise<{ detached: boolean }>((resolve) => (detach = () => resolve({ detached: true })));

  if (o.stdin) {
    // only here: building process.stdin costs a few ms (an fs or tty stream) that `run` without -i never needs
    const stdin = ctx.stdin;
    const raw = o.tty && stdin.isTTY === true;
    if (raw) {
      stdin.setRawMode(true);
      // libuv's raw mode keeps output post-processing (ONLCR), so the container tty's \r\n
      // would reach the screen as \r\r\n; docker's MakeRaw clears OPOST too. Leaving raw
      // mode restores the saved termios, OPOST included.
      if (ctx.stdin === process.stdin) spawnSync('stty', ['-opost'], { stdio: ['inherit', 'ignore', 'ignore'] });
      cleanups.push(() => stdin.setRawMode(false));
    }
    // Like docker's hijackedIOStreamer, the escape sequence is only watched for with a TTY:
    // without one stdin is passed through byte for byte (binary input may hold ctrl-p,ctrl-q).
    const keys = o.tty ? detachKeysOrDefault(o.detachKeys) : [];
    let matched = 0;
    const onData = (chunk: Buffer): void => {
      if (keys.length === 0) {
        conn.socket.write(chunk);
        return;
      }
      const out: number[] = [];
      for (const b of chunk) {
        if (b === keys[matched]) {
          matched++;
          if (matched === keys.length) {
            if (out.length) conn.socket.write(Buffer.from(out));
            detach();
            return;
          }
          continue;
        }
        if (matched) out.push(...keys.slice(0, matched));
        matched = 0;
        out.push(b);
      }
      if (out.length) conn.socket.write(Buffer.from(out));
    };
    const onEnd = (): void => {
      if (matched) conn.socket.write(Buffer.from(keys.slice(0, matched)));
      conn.socket.end();
    };
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.resume();
    cleanups.push(() => {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.pause();
    });
  }

  const resize = async (): Promise<void> => {
    const out = ctx.stdout;
    if (!o.tty || !out.isTTY || !out.rows || !out.columns) return;
    await (o.resizeTo ?? ((h, w) => containerResize(t, id, h, w)))(out.rows, out.columns).catch(() => undefined);
  };
  if (o.tty) {
    const onWinch = (): void => void resize();
    process.on('SIGWINCH', onWinch);
    cleanups.push(() => process.off('SIGWINCH', onWinch));
  } else if (o.sigProxy) {
    for (const sig of PROXIED_SIGNALS) {
      const h = (): void => void containerKill(t, id, sig).catch(() => undefined);
      process.on(sig, h);
      cleanups.push(() => process.off(sig, h));
    }
  }

  const output = copyOutput(conn.output, o.tty, ctx.stdout, ctx.stderr).then(() => ({ detached: false }));
  const close = (): void => {
    for (const c of cleanups.splice(0)) c();
    conn.socket.destroy();
  };
  const done = Promise.race([output, detached]);
  return { done, resize, close };
}

/** docker's CheckTty: a TTY with stdin attached needs a terminal on our side. */
export function checkTty(ctx: CliContext, attachStdin: boolean, tty: boolean): void {
  if (tty && attachStdin && !ctx.stdin.isTTY) throw new CliError(1, 'the input device is not a TTY');
}

/** The detach keys, or docker's default (ctrl-p,ctrl-q) when `spec` is empty or invalid. */
function detachKeysOrDefault(spec: string | undefined): number[] {
  try {
    return spec ? parseDetachKeys(spec) : [0x10, 0x11];
  } catch {
    return [0x10, 0x11];
  }
}

/** `ctrl-p,ctrl-q` → [0x10, 0x11]; `a` → 0x61. */
export function parseDetachKeys(spec: string): number[] {
  return spec.split(',').map((k) => {
    const key = k.trim().toLowerCase();
    if (key.length === 1) return key.charCodeAt(0);
    const m = /^ctrl-([a-z@[\\\]^_])$/.exec(key);
    if (!m) throw new Error(`Invalid detach keys (${spec}) provided`);
    const c = m[1]!;
    return c >= 'a' && c <= 'z' ? c.charCodeAt(0) - 96 : c.charCodeAt(0) - 64;
  });
}
