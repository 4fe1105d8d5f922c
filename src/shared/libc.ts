import koffi from 'koffi';

/**
 * The only place berth binds libc. Node lacks mount(2), umount2(2), mknod(2), setxattr(2)…;
 * koffi calls them directly (no helper process per call). errno is read right after a
 * failing call and turned into an Error with a `code` like Node's ('EPERM', 'ENOENT', ...).
 */
const lib = koffi.load('libc.so.6');

const errnoLocation = lib.func('int *__errno_location()');
const strerror = lib.func('const char *strerror(int errnum)');

const fns = {
  mount: lib.func('int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)'),
  umount2: lib.func('int umount2(const char *target, int flags)'),
  mknod: lib.func('int mknod(const char *path, uint32_t mode, uint64_t dev)'),
  lsetxattr: lib.func('int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)'),
  lgetxattr: lib.func('long lgetxattr(const char *path, const char *name, void *value, size_t size)'),
  llistxattr: lib.func('long llistxattr(const char *path, void *list, size_t size)'),
  lchown: lib.func('int lchown(const char *path, uint32_t owner, uint32_t group)'),
  kill: lib.func('int kill(int pid, int sig)'),
  syncfs: lib.func('int syncfs(int fd)'),
  mallocTrim: lib.func('int malloc_trim(size_t pad)'),
  mallopt: lib.func('int mallopt(int param, int value)'),
};

const ERRNO_NAMES: Record<number, string> = {
  1: 'EPERM', 2: 'ENOENT', 3: 'ESRCH', 5: 'EIO', 13: 'EACCES', 16: 'EBUSY', 17: 'EEXIST',
  20: 'ENOTDIR', 21: 'EISDIR', 22: 'EINVAL', 28: 'ENOSPC', 61: 'ENODATA', 95: 'EOPNOTSUPP',
};

export class SyscallError extends Error {
  constructor(readonly syscall: string, readonly errno: number, detail: string) {
    super(`${syscall} ${detail}: ${strerror(errno) as string}`);
    this.code = ERRNO_NAMES[errno] ?? `E${errno}`;
  }
  readonly code: string;
}

function errno(): number {
  return koffi.decode(errnoLocation(), 'int') as number;
}

function check(name: string, rc: number | bigint, detail: string): number {
  const n = Number(rc);
  if (n < 0) throw new SyscallError(name, errno(), detail);
  return n;
}

export const MS = {
  RDONLY: 1,
  NOSUID: 2,
  NODEV: 4,
  NOEXEC: 8,
  REMOUNT: 32,
  BIND: 4096,
  MOVE: 8192,
  REC: 16384,
  PRIVATE: 1 << 18,
  SLAVE: 1 << 19,
  SHARED: 1 << 20,
} as const;

export const MNT_DETACH = 2;

export function mount(source: string, target: string, fstype: string | null, flags: number, data: string | null): void {
  check('mount', fns.mount(source, target, fstype, flags, data) as number, `${target}`);
}

export function umount2(target: string, flags = 0): void {
  check('umount2', fns.umount2(target, flags) as number, target);
}

/**
 * umount2(2) on a libuv worker thread: unmounting syncs the filesystem (an overlay syncs its
 * upper one), which can take long on a busy disk. errno is per thread, so a failure is retried
 * synchronously for its code (failures are quick and change nothing).
 */
export function umount2Async(target: string, flags = 0): Promise<void> {
  return new Promise((resolve, reject) => {
    (fns.umount2 as unknown as { async(t: string, f: number, cb: (err: unknown, rc: number) => void): void }).async(target, flags, (err, rc) => {
      if (!err && Number(rc) === 0) return resolve();
      try {
        umount2(target, flags);
        resolve();
      } catch (e) {
        reject(e);
      }
    });
  });
}

export function mknod(path: string, mode: number, dev: number): void {
  check('mknod', fns.mknod(path, mode, BigInt(dev)) as number, path);
}

/** makedev(3) for Linux. */
export function makedev(major: number, minor: number): number {
  return ((major & 0xfff) << 8) | (minor & 0xff) | ((minor & ~0xff) << 12);
}

export function lsetxattr(path: string, name: string, value: Buffer): void {
  check('lsetxattr', fns.lsetxattr(path, name, value, value.length, 0) as number, `${path} ${name}`);
}

export function lgetxattr(path: string, name: string): Buffer | undefined {
  const buf = Buffer.alloc(65536);
  const rc = Number(fns.lgetxattr(path, name, buf, buf.length));
  if (rc < 0) {
    const e = errno();
    if (e === 61 || e === 95) return undefined; // ENODATA, EOPNOTSUPP
    throw new SyscallError('lgetxattr', e, `${path} ${name}`);
  }
  return buf.subarray(0, rc);
}

export function llistxattr(path: string): string[] {
  const buf = Buffer.alloc(65536);
  const rc = Number(fns.llistxattr(path, buf, buf.length));
  if (rc < 0) {
    const e = errno();
    if (e === 95) return [];
    throw new SyscallError('llistxattr', e, path);
  }
  return buf.subarray(0, rc).toString('latin1').split('\0').filter(Boolean);
}

/** Whether `path` (not followed) has any extended attribute: one call, no buffer. */
export function hasXattrs(path: string): boolean {
  const rc = Number(fns.llistxattr(path, null, 0));
  if (rc < 0) {
    const e = errno();
    if (e === 95) return false;
    throw new SyscallError('llistxattr', e, path);
  }
  return rc > 0;
}

export function lchown(path: string, uid: number, gid: number): void {
  check('lchown', fns.lchown(path, uid, gid) as number, path);
}

/** kill(2) that reports whether the process exists (signal 0 probes). */
export function processAlive(pid: number): boolean {
  if (pid <= 0) return false;
  const rc = fns.kill(pid, 0) as number;
  return rc === 0 || errno() === 1; // EPERM: exists, not ours
}

export function syncfs(fd: number): void {
  check('syncfs', fns.syncfs(fd) as number, `fd ${fd}`);
}

/**
 * malloc_trim(3): glibc gives the free pages of every malloc arena back to the system.
 * Returns whether any memory was released.
 */
export function mallocTrim(): boolean {
  return (fns.mallocTrim(0) as number) === 1;
}

/** mallopt(M_ARENA_MAX, n): threads that have no malloc arena yet share at most `n` (MALLOC_ARENA_MAX). */
export function mallocArenaMax(n: number): boolean {
  return (fns.mallopt(-8, n) as number) === 1;
}
