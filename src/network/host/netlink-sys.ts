import koffi from 'koffi';

/**
 * The libc calls the netlink host needs and Node lacks: netlink sockets and the per-thread
 * network-namespace switch (unshare/setns). Bound on first use, so a libc or koffi without
 * one of them makes `netlinkSys()` throw (and the caller fall back to iproute2) instead of
 * failing the import of the network module.
 */
export interface NetlinkSys {
  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Buffer): void;
  setsockopt(fd: number, level: number, name: number, value: Buffer): void;
  sendto(fd: number, buf: Buffer, addr: Buffer): number;
  recv(fd: number, buf: Buffer): number;
  close(fd: number): void;
  unshare(flags: number): void;
  setns(fd: number, nstype: number): void;
}

/** A failed libc call, with Node's errno naming (`code: 'EEXIST'`) and libc's wording. */
export class SysError extends Error {
  readonly code: string;
  constructor(readonly syscall: string, readonly errno: number, detail = '') {
    super(`${syscall}${detail ? ` ${detail}` : ''}: ${errorText(errno)}`);
    this.code = errnoName(errno);
  }
}

const names = new Map<number, string>(Object.entries(koffi.os.errno).map(([k, v]) => [v, k]));

export function errnoName(errno: number): string {
  return names.get(errno) ?? `E${errno}`;
}

let strerror: ((n: number) => string) | undefined;

/** strerror(3): "File exists", "No such device", ... */
export function errorText(errno: number): string {
  return strerror ? strerror(errno) : errnoName(errno);
}

let bound: NetlinkSys | undefined;

export function netlinkSys(): NetlinkSys {
  if (bound) return bound;
  const lib = koffi.load('libc.so.6');
  const f = {
    strerror: lib.func('const char *strerror(int errnum)'),
    socket: lib.func('int socket(int domain, int type, int protocol)'),
    bind: lib.func('int bind(int fd, const void *addr, uint32_t len)'),
    setsockopt: lib.func('int setsockopt(int fd, int level, int name, const void *value, uint32_t len)'),
    sendto: lib.func('long sendto(int fd, const void *buf, size_t len, int flags, const void *addr, uint32_t addrlen)'),
    recv: lib.func('long recv(int fd, _Out_ void *buf, size_t len, int flags)'),
    close: lib.func('int close(int fd)'),
    unshare: lib.func('int unshare(int flags)'),
    setns: lib.func('int setns(int fd, int nstype)'),
  };
  strerror = (n) => f.strerror(n) as string;
  const EINTR = 4;
  /** Runs one call, retrying EINTR; a negative result throws with errno read right after it. */
  const call = (name: string, detail: string, run: () => number | bigint): number => {
    for (;;) {
      const rc = Number(run());
      if (rc >= 0) return rc;
      const e = koffi.errno();
      if (e !== EINTR) throw new SysError(name, e, detail);
    }
  };
  bound = {
    socket: (domain, type, protocol) => call('socket', '', () => f.socket(domain, type, protocol) as number),
    bind: (fd, addr) => void call('bind', `fd ${fd}`, () => f.bind(fd, addr, addr.length) as number),
    setsockopt: (fd, level, name, value) => void call('setsockopt', `fd ${fd}`, () => f.setsockopt(fd, level, name, value, value.length) as number),
    sendto: (fd, buf, addr) => call('sendto', `fd ${fd}`, () => f.sendto(fd, buf, buf.length, 0, addr, addr.length) as bigint),
    recv: (fd, buf) => call('recv', `fd ${fd}`, () => f.recv(fd, buf, buf.length, 0) as bigint),
    close: (fd) => void f.close(fd),
    unshare: (flags) => void call('unshare', '', () => f.unshare(flags) as number),
    setns: (fd, nstype) => void call('setns', `fd ${fd}`, () => f.setns(fd, nstype) as number),
  };
  return bound;
}
