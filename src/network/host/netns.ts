import { closeSync, constants as fsc, mkdirSync, openSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { MNT_DETACH, MS, mount, umount2 } from '../../shared/libc.js';
import { errorText, type NetlinkSys } from './netlink-sys.js';

const CLONE_NEWNET = 0x40000000;
const SELF = '/proc/thread-self/ns/net';
// libuv opens every file with O_CLOEXEC: children (crun, ip) never inherit these fds.

/**
 * The calling thread could not get back to its own network namespace. Every socket the
 * thread opens from now on would land in the wrong namespace: the caller must stop using
 * the netlink host and say so loudly.
 */
export class NetnsStrandedError extends Error {
  constructor(cause: unknown) {
    super(`failed to return the daemon thread to its network namespace: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * Moves the calling thread (the Node main thread: JS runs nowhere else) in and out of
 * network namespaces without spawning. setns/unshare(CLONE_NEWNET) act on the calling thread
 * only; libuv's pool threads stay where they are, and no other JS runs between the two
 * synchronous calls, so nothing else ever sees the temporary namespace. Every move is
 * paired with a return in a `finally`; a failed return throws NetnsStrandedError.
 *
 * @example
 *   const ns = NetnsSwitch.open(netlinkSys());
 *   const sock = ns.inside('/run/netns/berth-abc', () => Rtnetlink.open());
 */
export class NetnsSwitch {
  private constructor(private readonly sys: NetlinkSys, private readonly home: number) {}

  /** Pins the calling thread's current namespace as home. */
  static open(sys: NetlinkSys): NetnsSwitch {
    return new NetnsSwitch(sys, openSync(SELF, fsc.O_RDONLY));
  }

  close(): void {
    closeSync(this.home);
  }

  /** Runs `fn` with the thread inside the namespace behind `fd` (a file or an open fd). */
  inside<T>(target: string | number, fn: () => T): T {
    const fd = typeof target === 'number' ? target : openSync(target, fsc.O_RDONLY);
    try {
      this.sys.setns(fd, CLONE_NEWNET);
    } finally {
      if (typeof target !== 'number') closeSync(fd);
    }
    return this.thenReturn(fn);
  }

  /**
   * `ip netns add`: creates the empty file `path` (mode 0, failing if it exists), moves the
   * thread to a new namespace, bind-mounts it onto the file and comes back.
   */
  create(path: string): void {
    try {
      closeSync(openSync(path, fsc.O_RDONLY | fsc.O_CREAT | fsc.O_EXCL, 0));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new Error(`Cannot create namespace file "${path}": ${e.errno ? errorText(-e.errno) : e.message}`, { cause: err });
    }
    let mounted = false;
    try {
      this.sys.unshare(CLONE_NEWNET);
      this.thenReturn(() => {
        mount(SELF, path, 'none', MS.BIND, null);
        mounted = true;
      });
    } catch (err) {
      if (err instanceof NetnsStrandedError) throw err;
      if (mounted) umount2(path, MNT_DETACH);
      rmSync(path, { force: true });
      throw err;
    }
  }

  /** Whether the calling thread is home (same namespace inode as the pinned fd). */
  isHome(): boolean {
    return readlinkSync(SELF) === readlinkSync(`/proc/thread-self/fd/${this.home}`);
  }

  private thenReturn<T>(fn: () => T): T {
    let failure: unknown;
    try {
      return fn();
    } catch (err) {
      failure = err;
      throw err;
    } finally {
      try {
        this.sys.setns(this.home, CLONE_NEWNET);
      } catch (err) {
        throw new NetnsStrandedError(failure === undefined ? err : new AggregateError([err, failure], String(err)));
      }
    }
  }
}

/**
 * What `ip netns add` does to /run/netns before its first namespace: create it, make it a
 * mount point (bind onto itself) if it is not one, and make it shared and recursive so
 * namespace mounts propagate to other mount namespaces (and their unmounts too).
 */
export function prepareNetnsDir(dir: string): void {
  try {
    mkdirSync(dir, { mode: 0o755 }); // not recursive, as ip: Node's recursive mkdir can spin forever under /proc
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (isSharedMountPoint(dir)) return;
  try {
    mount('', dir, 'none', MS.SHARED | MS.REC, null);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
    mount(dir, dir, 'none', MS.BIND | MS.REC, null);
    mount('', dir, 'none', MS.SHARED | MS.REC, null);
  }
}

/** From /proc/self/mountinfo: `dir` is the mount point of its last mount and that mount is `shared:N`. */
function isSharedMountPoint(dir: string): boolean {
  const lines = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  const last = lines.filter((l) => l.split(' ')[4] === dir).pop();
  if (!last) return false;
  const optional = last.split(' - ')[0]!.split(' ').slice(6);
  return optional.some((o) => o.startsWith('shared:'));
}
