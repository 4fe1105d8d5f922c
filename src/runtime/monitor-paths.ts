import { join } from 'node:path';

/**
 * Files under a container's state dir (exec-root/containers/<id>), drawn once here.
 * conmon puts ctl, winsz and the attach socket in the bundle dir; it links `io` to the
 * bundle dir (its --socket-dir-path/<cuuid> symlink), so everything is reachable from stateDir.
 *
 * ```
 * <stateDir>/conmon.pid        conmon's pid (after its double fork)
 * <stateDir>/ctr.pid           container init's host pid
 * <stateDir>/conmon.log        conmon's own stderr
 * <stateDir>/exit/<id>         exit code written by conmon (mtime = finish time)
 * <stateDir>/persist/oom       present when the container was OOM-killed
 * <stateDir>/io -> <bundle>    io/attach (SEQPACKET), io/ctl, io/winsz (FIFOs)
 * ```
 */
export interface MonitorPaths {
  stateDir: string;
  conmonPidFile: string;
  ctrPidFile: string;
  conmonLog: string;
  exitDir: string;
  persistDir: string;
  /** Name of the symlink conmon makes to the bundle dir (its --cuuid). */
  ioLinkName: string;
  ioDir: string;
  attachSocket: string;
  ctlFifo: string;
  winszFifo: string;
}

export function monitorPaths(stateDir: string): MonitorPaths {
  const ioDir = join(stateDir, 'io');
  return {
    stateDir,
    conmonPidFile: join(stateDir, 'conmon.pid'),
    ctrPidFile: join(stateDir, 'ctr.pid'),
    conmonLog: join(stateDir, 'conmon.log'),
    exitDir: join(stateDir, 'exit'),
    persistDir: join(stateDir, 'persist'),
    ioLinkName: 'io',
    ioDir,
    attachSocket: join(ioDir, 'attach'),
    ctlFifo: join(ioDir, 'ctl'),
    winszFifo: join(ioDir, 'winsz'),
  };
}
