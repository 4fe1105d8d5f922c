import koffi from 'koffi';
import { closeSync, openSync, constants as fsc } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Minimal non-blocking AF_UNIX SOCK_SEQPACKET client over libc (Node's `net` cannot open
 * SEQPACKET sockets). Every socket call is non-blocking; readiness comes from poll(2) blocking
 * on one libuv threadpool thread (pollAsync), with an eventfd to wake it when the set changes.
 */
const lib = koffi.load('libc.so.6');
const c = {
  socket: lib.func('int socket(int domain, int type, int protocol)'),
  connect: lib.func('int connect(int fd, const void *addr, uint32_t len)'),
  close: lib.func('int close(int fd)'),
  recv: lib.func('long recv(int fd, _Out_ void *buf, size_t len, int flags)'),
  send: lib.func('long send(int fd, const void *buf, size_t len, int flags)'),
  shutdown: lib.func('int shutdown(int fd, int how)'),
  poll: lib.func('int poll(_Inout_ void *fds, unsigned long nfds, int timeout)'),
  eventfd: lib.func('int eventfd(unsigned int initval, int flags)'),
  read: lib.func('long read(int fd, _Out_ void *buf, size_t len)'),
  write: lib.func('long write(int fd, const void *buf, size_t len)'),
};

const AF_UNIX = 1;
const SOCK_SEQPACKET = 5;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;
const SHUT_WR = 1;
const EAGAIN = 11;
const EINTR = 4;
const POLLIN = 0x1;
const POLLERR = 0x8;
const POLLHUP = 0x10;
const POLLNVAL = 0x20;
const SUN_PATH_MAX = 107;

export class SocketError extends Error {
  constructor(readonly call: string, readonly errno: number, detail: string) {
    super(`${call} ${detail}: errno ${errno}`);
  }
}

/** One connected SEQPACKET socket. recv/send return 'again' instead of blocking. */
export class SeqpacketSocket {
  private closed = false;
  private constructor(readonly fd: number) {}

  /** Connect to `path` (paths longer than sun_path go through /proc/self/fd/<dirfd>/name). */
  static connect(path: string): SeqpacketSocket {
    const fd = c.socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0) as number;
    if (fd < 0) throw new SocketError('socket', koffi.errno(), path);
    let dirFd = -1;
    try {
      let target = path;
      if (Buffer.byteLength(path) > SUN_PATH_MAX) {
        dirFd = openSync(dirname(path), fsc.O_RDONLY | fsc.O_DIRECTORY);
        target = `/proc/self/fd/${dirFd}/${basename(path)}`;
      }
      const addr = Buffer.alloc(110);
      addr.writeUInt16LE(AF_UNIX, 0);
      addr.write(target, 2, 'utf8');
      if ((c.connect(fd, addr, addr.length) as number) < 0) throw new SocketError('connect', koffi.errno(), path);
    } catch (err) {
      c.close(fd);
      throw err;
    } finally {
      if (dirFd >= 0) closeSync(dirFd);
    }
    return new SeqpacketSocket(fd);
  }

  /** Read one packet into buf: byte count, 0 at EOF, or 'again' when nothing is queued. */
  recv(buf: Buffer): number | 'again' {
    for (;;) {
      const n = Number(c.recv(this.fd, buf, buf.length, MSG_DONTWAIT));
      if (n >= 0) return n;
      const e = koffi.errno();
      if (e === EINTR) continue;
      if (e === EAGAIN) return 'again';
      throw new SocketError('recv', e, `fd ${this.fd}`);
    }
  }

  /** Send one packet: bytes sent or 'again' when the peer's queue is full. */
  send(buf: Buffer): number | 'again' {
    for (;;) {
      const n = Number(c.send(this.fd, buf, buf.length, MSG_DONTWAIT | MSG_NOSIGNAL));
      if (n >= 0) return n;
      const e = koffi.errno();
      if (e === EINTR) continue;
      if (e === EAGAIN) return 'again';
      throw new SocketError('send', e, `fd ${this.fd}`);
    }
  }

  /** Half-close: the peer reads EOF (conmon closes the container's stdin). */
  shutdownWrite(): void {
    if (!this.closed) c.shutdown(this.fd, SHUT_WR);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    c.close(this.fd);
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

function pollBuffer(fds: number[]): Buffer {
  const buf = Buffer.alloc(8 * fds.length);
  fds.forEach((fd, i) => {
    buf.writeInt32LE(fd, i * 8);
    buf.writeInt16LE(POLLIN, i * 8 + 4);
  });
  return buf;
}

function readyIn(buf: Buffer, fds: number[]): Set<number> {
  const ready = new Set<number>();
  fds.forEach((fd, i) => {
    const rev = buf.readInt16LE(i * 8 + 6);
    if (rev & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) ready.add(fd);
  });
  return ready;
}

/**
 * poll(2) without a timeout on a threadpool thread; `done` gets the ready fds on the event
 * loop. Include a WakeFd's fd so the wait can be cut short.
 */
export function pollAsync(fds: number[], done: (ready: Set<number>) => void): void {
  const buf = pollBuffer(fds);
  (c.poll as unknown as { async: (...a: unknown[]) => void }).async(buf, fds.length, -1, (err: unknown, n: number) => {
    done(err || n <= 0 ? new Set() : readyIn(buf, fds));
  });
}

/** An eventfd that interrupts a pollAsync that includes it. */
export class WakeFd {
  readonly fd: number;
  private readonly eight = Buffer.alloc(8);

  constructor() {
    this.fd = c.eventfd(0, SOCK_NONBLOCK | SOCK_CLOEXEC) as number; // EFD_NONBLOCK/EFD_CLOEXEC share these values
    if (this.fd < 0) throw new SocketError('eventfd', koffi.errno(), '');
  }

  wake(): void {
    this.eight.writeBigUInt64LE(1n);
    c.write(this.fd, this.eight, 8);
  }

  /** Reset after a wake-up. */
  clear(): void {
    c.read(this.fd, this.eight, 8);
  }
}
