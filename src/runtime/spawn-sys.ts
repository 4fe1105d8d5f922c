import koffi from 'koffi';

/**
 * The libc calls behind spawn.ts: posix_spawn(3) with its file actions and attributes, pipe2,
 * fcntl(F_DUPFD_CLOEXEC), waitpid(WNOHANG). Bound on first use. glibc's posix_spawn forks with
 * clone(CLONE_VM | CLONE_VFORK): the child shares berthd's memory until it execs, so a spawn
 * costs the same whatever berthd's RSS (libuv's fork copies the page tables: milliseconds per
 * 100 MB). The opaque glibc structs are plain buffers, sized above what any glibc uses.
 */
export interface SpawnSys {
  /**
   * 0 and the pid, or the errno (the child's exec or file-action failure included). Runs on a
   * threadpool thread: until the child has exec'd, only that thread waits (vfork), not the loop.
   */
  spawn(file: string, argv: string[], env: string[], actions: FileAction[], flags: { setsid: boolean }): Promise<{ err: number; pid: number }>;
  /** [read end, write end], both close-on-exec. */
  pipe(): [number, number];
  /** A close-on-exec duplicate of fd numbered `min` or above. */
  dupAbove(fd: number, min: number): number;
  /** waitpid(pid, WNOHANG): undefined while it runs; the raw wait status once reaped; 'gone' when it is not our child. */
  reap(pid: number): number | 'gone' | undefined;
  errno(): number;
}

export type FileAction =
  | { op: 'dup2'; from: number; to: number }
  | { op: 'open'; fd: number; path: string; flags: number }
  | { op: 'chdir'; path: string }
  | { op: 'closefrom'; from: number };

const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const POSIX_SPAWN_SETSID = 0x80;
const F_DUPFD_CLOEXEC = 1030;
const O_CLOEXEC = 0o2000000;
const WNOHANG = 1;
const EINTR = 4;
const ECHILD = 10;
// glibc x86_64/aarch64: posix_spawn_file_actions_t 80 bytes, posix_spawnattr_t 336, sigset_t 128
const FA_SIZE = 256;
const ATTR_SIZE = 512;
const SIGSET_SIZE = 128;

type AsyncFn = { async(...args: unknown[]): void };

let bound: SpawnSys | undefined;

export function spawnSys(): SpawnSys {
  return (bound ??= bind());
}

function bind(): SpawnSys {
  const lib = koffi.load('libc.so.6');
  const c = {
    spawn: lib.func('int posix_spawn(void *pid, const char *path, void *actions, void *attr, const char **argv, const char **envp)') as unknown as AsyncFn,
    faInit: lib.func('int posix_spawn_file_actions_init(void *actions)'),
    faDestroy: lib.func('int posix_spawn_file_actions_destroy(void *actions)'),
    faDup2: lib.func('int posix_spawn_file_actions_adddup2(void *actions, int fd, int newfd)'),
    faOpen: lib.func('int posix_spawn_file_actions_addopen(void *actions, int fd, const char *path, int oflag, uint32_t mode)'),
    faChdir: lib.func('int posix_spawn_file_actions_addchdir_np(void *actions, const char *path)'),
    attrInit: lib.func('int posix_spawnattr_init(void *attr)'),
    attrDestroy: lib.func('int posix_spawnattr_destroy(void *attr)'),
    attrFlags: lib.func('int posix_spawnattr_setflags(void *attr, short flags)'),
    attrSigmask: lib.func('int posix_spawnattr_setsigmask(void *attr, const void *set)'),
    attrSigdefault: lib.func('int posix_spawnattr_setsigdefault(void *attr, const void *set)'),
    sigemptyset: lib.func('int sigemptyset(void *set)'),
    pipe2: lib.func('int pipe2(void *fds, int flags)'),
    fcntl: lib.func('int fcntl(int fd, int cmd, ...)'),
    waitpid: lib.func('int waitpid(int pid, _Out_ int *status, int options)'),
  };
  // glibc 2.34+: closes every fd from `from` up in the child (close_range), whatever its flags
  let faClosefrom: ((fa: Buffer, from: number) => number) | undefined;
  try {
    faClosefrom = lib.func('int posix_spawn_file_actions_addclosefrom_np(void *actions, int from)') as unknown as (fa: Buffer, from: number) => number;
  } catch {
    faClosefrom = undefined; // older glibc: Node opens every fd close-on-exec anyway
  }
  const empty = Buffer.alloc(SIGSET_SIZE);
  c.sigemptyset(empty);
  // Signals 1-64 by hand: sigfillset leaves out glibc's internal 32 and 33, which posix_spawn
  // would then leave ignored in the child (and exec keeps ignored signals), unlike libuv's children.
  const all = Buffer.alloc(SIGSET_SIZE);
  all.fill(0xff, 0, 8);

  return {
    async spawn(file, argv, env, actions, flags) {
      const fa = Buffer.alloc(FA_SIZE);
      const attr = Buffer.alloc(ATTR_SIZE);
      c.faInit(fa);
      c.attrInit(attr);
      try {
        for (const a of actions) {
          let rc: number;
          if (a.op === 'dup2') rc = c.faDup2(fa, a.from, a.to) as number;
          else if (a.op === 'open') rc = c.faOpen(fa, a.fd, a.path, a.flags, 0) as number;
          else if (a.op === 'chdir') rc = c.faChdir(fa, a.path) as number;
          else rc = faClosefrom ? faClosefrom(fa, a.from) : 0;
          if (rc !== 0) return { err: rc, pid: 0 };
        }
        // The child starts with no signal blocked and every signal at its default (Node ignores SIGPIPE).
        let f = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
        if (flags.setsid) f |= POSIX_SPAWN_SETSID;
        c.attrFlags(attr, f);
        c.attrSigmask(attr, empty);
        c.attrSigdefault(attr, all);
        const pid = Buffer.alloc(4);
        const err = await new Promise<number>((resolve, reject) =>
          c.spawn.async(pid, file, fa, attr, [...argv, null], [...env, null], (e: unknown, rc: number) => (e ? reject(e) : resolve(rc))),
        );
        return { err, pid: err === 0 ? pid.readInt32LE(0) : 0 };
      } finally {
        c.faDestroy(fa);
        c.attrDestroy(attr);
      }
    },
    pipe() {
      const fds = Buffer.alloc(8);
      if ((c.pipe2(fds, O_CLOEXEC) as number) < 0) throw errnoError('pipe2', koffi.errno());
      return [fds.readInt32LE(0), fds.readInt32LE(4)];
    },
    dupAbove(fd, min) {
      const nfd = c.fcntl(fd, F_DUPFD_CLOEXEC, 'int', min) as number;
      if (nfd < 0) throw errnoError('fcntl', koffi.errno());
      return nfd;
    },
    reap(pid) {
      const status = [0];
      for (;;) {
        const rc = c.waitpid(pid, status, WNOHANG) as number;
        if (rc === pid) return status[0]!;
        if (rc === 0) return undefined;
        const e = koffi.errno();
        if (e === EINTR) continue;
        if (e === ECHILD) return 'gone';
        return undefined;
      }
    },
    errno: () => koffi.errno(),
  };
}

const ERRNO_CODES = new Map<number, string>(Object.entries(koffi.os.errno as Record<string, number>).map(([k, v]) => [v, k]));

/** errno -> Node's code ('ENOENT', 'EACCES', ...). */
export function errnoCode(errno: number): string {
  return ERRNO_CODES.get(errno) ?? `E${errno}`;
}

function errnoError(call: string, errno: number): NodeJS.ErrnoException {
  const err = new Error(`${call} failed: ${errnoCode(errno)}`) as NodeJS.ErrnoException;
  err.code = errnoCode(errno);
  err.errno = -errno;
  err.syscall = call;
  return err;
}
