import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, writeFile, symlink, copyFile, rm, readdir, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { HostConfig } from '../../api/types.js';
import { buildSpec } from './build-spec.js';
import { resolveUser } from './resolve-user.js';
import { probeHost, readRlimitNofile } from './host-info.js';
import { listHostDevices } from './host-devices.js';
import type { SpecInput } from './spec-input.js';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES } from './capabilities.js';
import { DEFAULT_MASKED_PATHS } from './with-masked-paths.js';

const run = promisify(execFile);
const CRUN = '/usr/bin/crun';
const BUSYBOX = '/usr/bin/busybox';
const canRun = process.getuid?.() === 0 && existsSync(CRUN) && existsSync(BUSYBOX);
const APPLETS = ['sh', 'id', 'cat', 'grep', 'ls', 'hostname', 'echo', 'wc', 'head', 'tr', 'cut'];

let dir: string;
let state: string;
const cgroupParent = `berth-spec-test-${process.pid}`;
const started: string[] = [];

const capMask = (caps: readonly string[]): string =>
  caps.reduce((m, c) => m | (1n << BigInt(ALL_CAPABILITIES.indexOf(c))), 0n).toString(16).padStart(16, '0');

before(async () => {
  if (!canRun) return;
  dir = await mkdtemp(join(tmpdir(), 'berth-spec-crun-'));
  state = join(dir, 'state');
  await mkdir(state);
});

after(async () => {
  if (!canRun) return;
  for (const id of started) await run(CRUN, ['--root', state, 'delete', '--force', id]).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
  for (const ctl of await readdir('/sys/fs/cgroup')) await rmdir(join('/sys/fs/cgroup', ctl, cgroupParent)).catch(() => undefined);
});

/** A bundle with a static busybox rootfs; returns the container's stdout. */
async function runContainer(
  name: string,
  script: string,
  user: string | undefined,
  hostConfig: HostConfig = {},
  extra: Partial<SpecInput> = {},
): Promise<string> {
  const bundle = join(dir, name);
  const rootfs = join(bundle, 'rootfs');
  await mkdir(join(rootfs, 'bin'), { recursive: true });
  await mkdir(join(rootfs, 'etc'));
  await copyFile(BUSYBOX, join(rootfs, 'bin/busybox'));
  for (const a of APPLETS) await symlink('busybox', join(rootfs, 'bin', a));
  await writeFile(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/:/bin/sh\n');
  await writeFile(join(rootfs, 'etc/group'), 'root:x:0:\nstaff:x:50:app\napp:x:1000:\n');
  const files = { hostname: join(bundle, 'hostname'), hosts: join(bundle, 'hosts'), resolvConf: join(bundle, 'resolv.conf') };
  await writeFile(files.hostname, `${name}\n`);
  await writeFile(files.hosts, '127.0.0.1\tlocalhost\n');
  await writeFile(files.resolvConf, 'nameserver 127.0.0.1\n');
  const id = `berth-spec-test-${name}-${process.pid}`;
  const spec = buildSpec({
    id,
    rootfsPath: rootfs,
    config: { Cmd: ['/bin/sh', '-c', script], Env: ['PATH=/bin'] },
    hostConfig,
    user: await resolveUser(rootfs, user),
    hostname: name,
    files,
    netns: { mode: 'none' },
    cgroupsPath: `/${cgroupParent}/${id}`,
    hostRlimitNofile: await readRlimitNofile(),
    host: { ...(await probeHost()), ...(hostConfig.Privileged ? { devices: await listHostDevices() } : {}) },
    ...extra,
  });
  await writeFile(join(bundle, 'config.json'), JSON.stringify(spec, null, 2));
  started.push(id);
  const { stdout } = await run(CRUN, ['--root', state, 'run', '--bundle', bundle, id], { timeout: 20000 });
  return stdout;
}

const field = (out: string, key: string): string | undefined => new RegExp(`^${key}:?\\s*(.*)$`, 'm').exec(out)?.[1]?.trim();

test('crun runs the default spec with Docker-equivalent security', { skip: !canRun }, async () => {
  const out = await runContainer(
    'sec',
    [
      'id -u',
      'grep -E "^(CapInh|CapBnd|CapEff|CapAmb|Seccomp|NoNewPrivs):" /proc/self/status',
      'echo HOST=$(hostname)',
      'echo MOUNTS=$(cut -d" " -f5 /proc/self/mountinfo)',
      'echo PROCSYS=$( (echo 0 > /proc/sys/net/ipv4/ip_forward) 2>&1 || true)',
      'echo DEV=$(ls /dev | grep -v -E "^(fd|stdin|stdout|stderr|core)$")',
    ].join('; '),
    undefined,
  );
  assert.match(out, /^0$/m);
  assert.equal(field(out, 'CapInh'), '0000000000000000');
  assert.equal(field(out, 'CapAmb'), '0000000000000000');
  assert.equal(field(out, 'CapBnd'), capMask(DEFAULT_CAPABILITIES));
  assert.equal(field(out, 'CapBnd'), '00000000a80425fb');
  assert.equal(field(out, 'CapEff'), '00000000a80425fb');
  assert.equal(field(out, 'Seccomp'), '2');
  assert.equal(field(out, 'NoNewPrivs'), '0');
  assert.match(out, /^HOST=sec$/m);
  // /proc/kcore is absent on some kernels (CONFIG_PROC_KCORE=n): check every masked path the host has
  const mounted = /^MOUNTS=(.*)$/m.exec(out)![1]!.split(' ');
  const present = DEFAULT_MASKED_PATHS.filter((p) => existsSync(p));
  assert.ok(present.length >= 3, `too few masked paths exist on this host: ${present.join(',')}`);
  for (const p of present) assert.ok(mounted.includes(p), `${p} is not masked`);
  assert.ok(mounted.includes('/proc/sys'));
  assert.match(out, /^PROCSYS=.*Read-only file system$/m);
  const devs = /^DEV=(.*)$/m.exec(out)![1]!.split(/\s+/).sort();
  assert.deepEqual(devs, ['full', 'mqueue', 'null', 'ptmx', 'pts', 'random', 'shm', 'tty', 'urandom', 'zero']);
});

test('crun runs as the resolved user with supplementary groups and no-new-privileges', { skip: !canRun }, async () => {
  const out = await runContainer('usr', 'id; grep -E "^(NoNewPrivs|CapEff):" /proc/self/status', 'app', {
    SecurityOpt: ['no-new-privileges'],
    CapDrop: ['ALL'],
    CapAdd: ['KILL'],
  });
  assert.match(out, /^uid=1000\(app\) gid=1000\(app\) groups=50\(staff\),1000\(app\)$/m);
  assert.equal(field(out, 'NoNewPrivs'), '1');
  assert.equal(field(out, 'CapEff'), '0000000000000000');
});

test('crun with seccomp=unconfined, a memory limit, sysctls, domainname, ulimit', { skip: !canRun }, async () => {
  const script = [
    'grep -E "^Seccomp:" /proc/self/status',
    'cat /sys/fs/cgroup/memory/memory.limit_in_bytes',
    'echo FWD=$(cat /proc/sys/net/ipv4/ip_forward)',
    'echo DOMAIN=$(cat /proc/sys/kernel/domainname)',
    'echo NOFILE=$(grep "Max open files" /proc/self/limits | tr -s " " | cut -d" " -f4,5)',
  ].join('; ');
  const out = await runContainer('unc', script, undefined, {
    SecurityOpt: ['seccomp=unconfined'],
    Memory: 64 * 1024 * 1024,
    Sysctls: { 'net.ipv4.ip_forward': '1' },
    Ulimits: [{ Name: 'nofile', Soft: 512, Hard: 1024 }],
  }, { config: { Cmd: ['/bin/sh', '-c', script], Env: ['PATH=/bin'], Domainname: 'example.test' } });
  assert.equal(field(out, 'Seccomp'), '0');
  assert.match(out, /^67108864$/m);
  assert.match(out, /^FWD=1$/m);
  assert.match(out, /^DOMAIN=example.test$/m);
  assert.match(out, /^NOFILE=512 1024$/m);
});

test('crun runs privileged with the host\'s capabilities and devices, --init and a read-only rootfs', { skip: !canRun }, async () => {
  const status = await (await import('node:fs/promises')).readFile('/proc/self/status', 'utf8');
  const hostBnd = field(status, 'CapBnd');
  const out = await runContainer(
    'priv',
    [
      'grep -E "^(CapBnd|Seccomp):" /proc/self/status',
      'echo PID1=$(cat /proc/1/cmdline | head -c 17)',
      'if (echo x > /x) 2>/dev/null; then echo ROOT=rw; else echo ROOT=ro; fi',
      'echo LOOP=$(ls /dev | grep -c -E "^loop[0-9]")',
      'echo MASKED=$(grep -c -E " /proc/(keys|timer_list) " /proc/self/mountinfo)',
    ].join('; '),
    undefined,
    { Privileged: true, ReadonlyRootfs: true },
    { init: { hostPath: '/usr/bin/tini-static' } },
  );
  assert.equal(field(out, 'CapBnd'), hostBnd);
  assert.equal(field(out, 'Seccomp'), '0');
  assert.match(out, /^PID1=\/sbin\/docker-init/m);
  assert.match(out, /^ROOT=ro$/m);
  assert.doesNotMatch(out, /^LOOP=0$/m);
  assert.match(out, /^MASKED=0$/m);
});
