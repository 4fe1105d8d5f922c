import { Writable } from 'node:stream';
import { EngineError } from '../shared/errors.js';
import { ChunkQueue } from './chunk-queue.js';
import { pollAsync, SeqpacketSocket, WakeFd } from './seqpacket.js';

/** One piece of container output from conmon's attach socket. */
export interface AttachChunk {
  stream: 'stdout' | 'stderr';
  data: Buffer;
}

/**
 * A connection to conmon's attach socket. `output` ends after conmon has delivered all of the
 * container's output (conmon closes the socket when it exits) or after close().
 * Ending `stdin` half-closes the socket: conmon then closes the container's stdin unless it
 * was launched with stdinOnce=false or a terminal (--leave-stdin-open).
 */
export interface AttachConnection {
  output: AsyncIterable<AttachChunk>;
  stdin?: Writable;
  /** Detach: stop reading and close the socket (queued output is dropped). */
  close(): void;
}

/** conmon's attach packets: 1 byte stream id (2 = stdout, 3 = stderr) then data. */
const STREAM_IDS: Record<number, AttachChunk['stream']> = { 2: 'stdout', 3: 'stderr' };
/** conmon reads stdin packets into a buffer of this size. */
const STDIN_PACKET_MAX = 8192;
const RECV_BUF = 65536;
interface Reader {
  sock: SeqpacketSocket;
  queue: ChunkQueue<AttachChunk>;
}

/**
 * All open attach sockets are waited on together by one poll(2) that blocks on a libuv
 * threadpool thread (only while some socket is open), so output is read as soon as conmon
 * sends it with no timer latency and no busy polling. Adding a socket, closing one or a
 * consumer draining its queue wakes the poll through an eventfd so it re-arms with the new set.
 */
const readers = new Set<Reader>();
const recvBuf = Buffer.alloc(RECV_BUF);
let waker: WakeFd | undefined;
let inFlight = false;
/** Sockets closed while a poll was in flight: closed when it returns, so their fd numbers are not reused under it. */
const closeLater: SeqpacketSocket[] = [];

function schedule(): void {
  if (inFlight) {
    waker?.wake();
    return;
  }
  if (readers.size === 0) return;
  waker ??= new WakeFd();
  const wake = waker;
  const active = [...readers].filter((r) => !r.queue.full);
  inFlight = true;
  pollAsync([wake.fd, ...active.map((r) => r.sock.fd)], (ready) => {
    inFlight = false;
    if (ready.has(wake.fd)) wake.clear();
    for (const s of closeLater.splice(0)) s.close();
    for (const r of active) if (readers.has(r) && ready.has(r.sock.fd)) drain(r);
    schedule();
  });
}

/** Read up to 64 packets from one socket; true when something was read. */
function drain(r: Reader): boolean {
  for (let i = 0; i < 64 && !r.queue.full; i++) {
    let n: number | 'again';
    try {
      n = r.sock.recv(recvBuf);
    } catch (err) {
      finish(r, EngineError.wrap('internal', 'failed to read attach socket', err));
      return true;
    }
    if (n === 'again') return i > 0;
    if (n === 0) {
      finish(r);
      return true;
    }
    const stream = STREAM_IDS[recvBuf[0]!];
    if (stream && n > 1) r.queue.push({ stream, data: Buffer.from(recvBuf.subarray(1, n)) });
  }
  return true;
}

function finish(r: Reader, err?: unknown): void {
  readers.delete(r);
  r.queue.end(err);
}

/**
 * Connect to conmon's attach socket (`<stateDir>/attach`). Connect before `runtime start`
 * so no output is missed.
 *
 * @example
 *   const conn = openAttach(paths.attachSocket, { stdin: true });
 *   await startContainer(rt, id);
 *   for await (const c of conn.output) process.stdout.write(c.data);
 */
export function openAttach(socketPath: string, opts: { stdin: boolean }): AttachConnection {
  let sock: SeqpacketSocket;
  try {
    sock = SeqpacketSocket.connect(socketPath);
  } catch (err) {
    throw EngineError.wrap('internal', 'failed to attach to container', err);
  }
  const queue = new ChunkQueue<AttachChunk>();
  const reader: Reader = { sock, queue };
  queue.onDrain = () => schedule();
  readers.add(reader);
  schedule();

  const close = (): void => {
    readers.delete(reader);
    queue.abort();
    if (inFlight) {
      closeLater.push(sock);
      waker?.wake();
    } else sock.close();
  };
  const conn: AttachConnection = { output: queue, close };
  if (opts.stdin) conn.stdin = stdinWriter(sock);
  return conn;
}

function stdinWriter(sock: SeqpacketSocket): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      sendAll(sock, chunk, cb);
    },
    final(cb) {
      sock.shutdownWrite();
      cb();
    },
  });
}

/** Send in packets of at most 8192 bytes, retrying while conmon's queue is full. Errors after the container is gone drop the data. */
function sendAll(sock: SeqpacketSocket, data: Buffer, cb: () => void): void {
  let off = 0;
  const step = (): void => {
    while (off < data.length) {
      if (sock.isClosed) return cb();
      let n: number | 'again';
      try {
        n = sock.send(data.subarray(off, off + STDIN_PACKET_MAX));
      } catch {
        return cb();
      }
      if (n === 'again') {
        setTimeout(step, 2);
        return;
      }
      off += n;
    }
    cb();
  };
  step();
}
