import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, readPids } from './conmon-monitor.js';
import { OciRuntime } from './oci-runtime.js';

/** Test-only: a busybox bundle with a minimal config.json, a runtime root and a state dir in one temp dir. */
export interface TestBundle {
  id: string;
  dir: string;
  bundleDir: string;
  stateDir: string;
  logPath: string;
  runtime: OciRuntime;
  cleanup(): Promise<void>;
}

const APPLETS = ['sh', 'cat', 'echo', 'sleep', 'stty', 'ls', 'true', 'seq', 'head', 'yes', 'printf', 'read', 'dd'];

export function makeTestBundle(args: string[], opts: { terminal?: boolean; runtime?: 'crun' | 'runc' } = {}): TestBundle {
  const dir = mkdtempSync(join(tmpdir(), 'berth-rt-'));
  const id = `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const bundleDir = join(dir, 'bundle');
  const rootfs = join(bundleDir, 'rootfs');
  for (const d of ['bin', 'proc', 'dev', 'sys', 'tmp', 'etc']) mkdirSync(join(rootfs, d), { recursive: true });
  copyFileSync('/usr/bin/busybox', join(rootfs, 'bin/busybox'));
  for (const a of APPLETS) if (!existsSync(join(rootfs, 'bin', a))) symlinkSync('busybox', join(rootfs, 'bin', a));
  writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/:/bin/sh\n');
  const caps = ['CAP_KILL', 'CAP_CHOWN', 'CAP_SETUID', 'CAP_SETGID'];
  const config = {
    ociVersion: '1.0.2',
    process: {
      terminal: !!opts.terminal,
      user: { uid: 0, gid: 0 },
      args,
      env: ['PATH=/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'test',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] },
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev'] },
    ],
    linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'ipc' }, { type: 'uts' }, { type: 'network' }] },
  };
  writeFileSync(join(bundleDir, 'config.json'), JSON.stringify(config));
  const name = opts.runtime ?? 'crun';
  const runtime = new OciRuntime({ name, path: name === 'crun' ? '/usr/bin/crun' : '/usr/sbin/runc', root: join(dir, 'runtime') });
  const stateDir = join(dir, 'state');
  return {
    id,
    dir,
    bundleDir,
    stateDir,
    logPath: join(dir, 'container.log'),
    runtime,
    async cleanup() {
      await runtime.delete(id, { force: true }).catch(() => {});
      // conmon exits once the container is gone; kill it (by its pid) if it lingers.
      await new Promise((r) => setTimeout(r, 50));
      const { conmonPid } = readPids(stateDir);
      if (conmonPid && isAlive(conmonPid)) process.kill(conmonPid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
