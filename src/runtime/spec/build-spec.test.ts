import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostConfig, ContainerConfig } from '../../api/types.js';
import { buildSpec } from './build-spec.js';
import type { SpecInput } from './spec-input.js';
import { DEFAULT_CAPABILITIES } from './capabilities.js';
import { DEFAULT_MASKED_PATHS } from './with-masked-paths.js';
import { EngineError } from '../../shared/errors.js';

function input(config: ContainerConfig = {}, hostConfig: HostConfig = {}, extra: Partial<SpecInput> = {}): SpecInput {
  return {
    id: 'abc123',
    rootfsPath: '/bundle/rootfs',
    config: { Cmd: ['sh'], ...config },
    hostConfig,
    user: { uid: 0, gid: 0, additionalGids: [] },
    hostname: 'abc123',
    files: { hostname: '/c/hostname', hosts: '/c/hosts', resolvConf: '/c/resolv.conf' },
    netns: { mode: 'none' },
    cgroupsPath: 'berth/abc123',
    host: { arch: 'x64', kernel: '6.1.0', swapAccounting: true, blkioWeight: true },
    ...extra,
  };
}

const throwsEngine = (fn: () => unknown, kind: string, message: string | RegExp): void =>
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof EngineError, `not an EngineError: ${String(err)}`);
    assert.equal(err.kind, kind);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });

test('process: args, env, cwd, terminal, user', () => {
  const s = buildSpec(
    input({ Entrypoint: ['/bin/ep'], Cmd: ['a', 'b'], Env: ['PATH=/x', 'FOO=1', 'HOSTNAME'], Tty: true, WorkingDir: '/w' }, {}, {
      user: { uid: 1000, gid: 100, additionalGids: [10] },
    }),
  );
  assert.deepEqual(s.process.args, ['/bin/ep', 'a', 'b']);
  assert.deepEqual(s.process.env, ['PATH=/x', 'TERM=xterm', 'FOO=1']);
  assert.equal(s.process.cwd, '/w');
  assert.equal(s.process.terminal, true);
  assert.deepEqual(s.process.user, { uid: 1000, gid: 100, additionalGids: [10] });
  assert.equal(s.process.noNewPrivileges, false);
});

test('process: default env and cwd; no command is Docker\'s error', () => {
  const s = buildSpec(input({ Cmd: ['true'] }));
  assert.deepEqual(s.process.env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=abc123']);
  assert.equal(s.process.cwd, '/');
  assert.equal(s.process.terminal, false);
  throwsEngine(() => buildSpec(input({ Cmd: [], Entrypoint: null })), 'invalid-argument', 'No command specified');
});

test('process: --init prepends docker-init and mounts it', () => {
  const s = buildSpec(input({ Cmd: ['sleep', '1'] }, {}, { init: { hostPath: '/usr/bin/tini-static' } }));
  assert.deepEqual(s.process.args, ['/sbin/docker-init', '--', 'sleep', '1']);
  const m = s.mounts.find((x) => x.destination === '/sbin/docker-init');
  assert.deepEqual(m, { destination: '/sbin/docker-init', type: 'bind', source: '/usr/bin/tini-static', options: ['bind', 'ro'] });
});

test('security opts: no-new-privileges forms', () => {
  for (const opt of ['no-new-privileges', 'no-new-privileges=true', 'no-new-privileges:true']) {
    assert.equal(buildSpec(input({}, { SecurityOpt: [opt] })).process.noNewPrivileges, true, opt);
  }
  assert.equal(buildSpec(input({}, { SecurityOpt: ['no-new-privileges=false'] })).process.noNewPrivileges, false);
  throwsEngine(() => buildSpec(input({}, { SecurityOpt: ['bogus'] })), 'invalid-argument', 'invalid --security-opt 1: "bogus"');
  throwsEngine(() => buildSpec(input({}, { SecurityOpt: ['foo=bar'] })), 'invalid-argument', 'invalid --security-opt 2: "foo=bar"');
});

test('namespaces by mode', () => {
  const types = (hc: HostConfig, extra: Partial<SpecInput> = {}): string[] =>
    buildSpec(input({}, hc, extra)).linux.namespaces.map((n) => n.type + (n.path ? `=${n.path}` : ''));
  assert.deepEqual(types({}), ['mount', 'network', 'uts', 'pid', 'ipc']);
  assert.deepEqual(types({}, { netns: { mode: 'host' } }), ['mount', 'uts', 'pid', 'ipc']);
  assert.deepEqual(types({}, { netns: { mode: 'path', path: '/run/netns/x' } }), ['mount', 'network=/run/netns/x', 'uts', 'pid', 'ipc']);
  assert.deepEqual(types({ PidMode: 'host', IpcMode: 'host', UTSMode: 'host', CgroupnsMode: 'private' }), ['mount', 'network', 'cgroup']);
  assert.deepEqual(types({ PidMode: 'container:x' }, { nsPaths: { pid: '/proc/9/ns/pid' } }), ['mount', 'network', 'uts', 'pid=/proc/9/ns/pid', 'ipc']);
  throwsEngine(() => types({ PidMode: 'container:x' }), 'not-implemented', /pid mode container:x/);
  assert.equal(buildSpec(input({}, { UTSMode: 'host' })).hostname, undefined);
  assert.equal(buildSpec(input()).hostname, 'abc123');
});

test('capabilities: defaults, add/drop, ALL, privileged', () => {
  const caps = (hc: HostConfig, host?: SpecInput['host']): string[] => {
    const c = buildSpec(input({}, hc, host ? { host } : {})).process.capabilities!;
    assert.deepEqual(c.inheritable, []);
    assert.deepEqual(c.ambient, []);
    assert.deepEqual(c.effective, c.bounding);
    assert.deepEqual(c.permitted, c.bounding);
    return c.bounding;
  };
  assert.deepEqual(caps({}), [...DEFAULT_CAPABILITIES]);
  assert.deepEqual(caps({ CapAdd: ['net_admin', 'CAP_SYS_PTRACE'], CapDrop: ['chown', 'CAP_KILL'] }), [
    ...DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_CHOWN' && c !== 'CAP_KILL'),
    'CAP_NET_ADMIN',
    'CAP_SYS_PTRACE',
  ]);
  assert.deepEqual(caps({ CapDrop: ['ALL'], CapAdd: ['NET_BIND_SERVICE'] }), ['CAP_NET_BIND_SERVICE']);
  assert.equal(caps({ CapAdd: ['all'], CapDrop: ['MKNOD'] }).length, 40);
  assert.equal(caps({ Privileged: true }).length, 41);
  const host = { capabilities: ['CAP_CHOWN', 'CAP_KILL', 'CAP_MKNOD', ...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'] };
  assert.deepEqual(caps({ Privileged: true }, host).includes('CAP_SYS_RESOURCE'), false);
  throwsEngine(() => caps({ CapAdd: ['SYS_RESOURCE'] }, host), 'invalid-argument', /CAP_SYS_RESOURCE is not available/);
  throwsEngine(() => caps({ CapAdd: ['FOO'] }), 'invalid-argument', 'unknown capability: "CAP_FOO"');
});

test('mounts: Docker defaults, shm size, network files, readonly rootfs', () => {
  const s = buildSpec(input({}, { ShmSize: 1048576, ReadonlyRootfs: true }));
  assert.deepEqual(
    s.mounts.map((m) => m.destination),
    ['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/dev/shm', '/etc/resolv.conf', '/etc/hostname', '/etc/hosts'],
  );
  const by = (d: string) => s.mounts.find((m) => m.destination === d)!;
  assert.ok(by('/dev/shm').options!.includes('size=1048576'));
  assert.deepEqual(by('/dev/pts').options, ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']);
  assert.ok(by('/dev').options!.includes('size=65536k'));
  assert.ok(by('/sys').options!.includes('ro'));
  assert.deepEqual(by('/etc/hosts'), { destination: '/etc/hosts', type: 'bind', source: '/c/hosts', options: ['rbind', 'rprivate', 'ro'] });
  assert.equal(s.root.readonly, true);
  assert.equal(s.root.path, '/bundle/rootfs');
  assert.equal(s.linux.rootfsPropagation, 'rprivate');
  const d = buildSpec(input());
  assert.ok(d.mounts.find((m) => m.destination === '/dev/shm')!.options!.includes('size=67108864'));
  assert.equal(d.root.readonly, undefined);
  const priv = buildSpec(input({}, { Privileged: true }));
  assert.equal(priv.mounts.find((m) => m.destination === '/sys')!.options!.includes('ro'), false);
});

const SHARED_ROOT = '27 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n';
const PRIVATE_ROOT = '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n28 27 0:25 / /mnt/slave rw master:3 - tmpfs t rw\n';

test('mounts: Binds, Mounts, Tmpfs; sorted; override defaults; errors', () => {
  const s = buildSpec(
    input({}, {
      Binds: ['/srv/a/b:/data/sub:ro', '/srv/a:/data', '/h:/dev/shm:rshared'],
      Mounts: [{ Type: 'tmpfs', Target: '/scratch', TmpfsOptions: { SizeBytes: 1024, Mode: 0o700 } }],
      Tmpfs: { '/run': 'exec,size=1m' },
    }, { readFile: () => SHARED_ROOT }),
  );
  const user = s.mounts.slice(-5);
  assert.deepEqual(user.map((m) => m.destination), ['/data', '/scratch', '/run', '/data/sub', '/dev/shm']);
  assert.deepEqual(user[0], { destination: '/data', type: 'bind', source: '/srv/a', options: ['rbind', 'rprivate'] });
  assert.deepEqual(user[3]!.options, ['rbind', 'rprivate', 'ro']);
  assert.deepEqual(user[1]!.options, ['noexec', 'nosuid', 'nodev', 'size=1024', 'mode=700']);
  assert.deepEqual(user[2]!.options, ['nosuid', 'nodev', 'exec', 'size=1m']);
  assert.equal(s.mounts.filter((m) => m.destination === '/dev/shm').length, 1);
  assert.equal(s.linux.rootfsPropagation, 'rshared');
  throwsEngine(() => buildSpec(input({}, { Binds: ['myvol:/data'] })), 'not-implemented', /named volumes/);
  throwsEngine(() => buildSpec(input({}, { Binds: ['/a:rel'] })), 'invalid-argument', /mount path must be absolute/);
  throwsEngine(() => buildSpec(input({}, { Binds: ['/a:/x:bogus'] })), 'invalid-argument', 'invalid mode: bogus');
  throwsEngine(() => buildSpec(input({}, { Binds: ['/a:/x', '/b:/x'] })), 'invalid-argument', 'Duplicate mount point: /x');
  throwsEngine(() => buildSpec(input({}, { Mounts: [{ Type: 'volume', Target: '/v', Source: 'v' }] })), 'not-implemented', /volume/);
});

test('mounts: resolved binds and volumes from the container service; --mount tmpfs still parsed', () => {
  const s = buildSpec(
    input({}, { Binds: ['vol:/v'], Mounts: [{ Type: 'volume', Source: 'vol', Target: '/v' }, { Type: 'tmpfs', Target: '/t' }] }, {
      mounts: [{ destination: '/v', type: 'bind', source: '/var/lib/berth/volumes/vol/_data', options: ['rbind'] }],
    }),
  );
  const user = s.mounts.filter((m) => m.destination === '/v' || m.destination === '/t');
  assert.deepEqual(user, [
    { destination: '/v', type: 'bind', source: '/var/lib/berth/volumes/vol/_data', options: ['rbind'] },
    { destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['noexec', 'nosuid', 'nodev'] },
  ]);
});

test('mounts: nothing inside /proc (runc wording), shared/slave binds need a shared/slave source', () => {
  const bind = (dst: string, src = '/srv/x') => input({}, {}, { mounts: [{ destination: dst, type: 'bind', source: src, options: ['rbind'] }] });
  throwsEngine(() => buildSpec(bind('/proc/sys/kernel/x')), 'internal', 'error mounting "/srv/x" to rootfs at "/proc/sys/kernel/x": "/bundle/rootfs/proc/sys/kernel/x" cannot be mounted because it is inside /proc');
  throwsEngine(() => buildSpec(bind('/proc')), 'internal', 'error mounting "/srv/x" to rootfs at "/proc": "/bundle/rootfs/proc" cannot be mounted because it is not of type proc');
  throwsEngine(() => buildSpec(input({}, { Tmpfs: { '/proc/t': '' } })), 'internal', /cannot be mounted because it is inside \/proc$/);
  assert.equal(buildSpec(bind('/proc/cpuinfo')).mounts.at(-1)!.destination, '/proc/cpuinfo');
  assert.equal(buildSpec(bind('/procfs')).mounts.at(-1)!.destination, '/procfs');
  const prop = (p: string, src = '/srv/x') => input({}, {}, { readFile: () => PRIVATE_ROOT, mounts: [{ destination: '/x', type: 'bind', source: src, options: ['rbind', p] }] });
  throwsEngine(() => buildSpec(prop('rshared')), 'internal', 'path /srv/x is mounted on / but it is not a shared mount');
  throwsEngine(() => buildSpec(prop('rslave')), 'internal', 'path /srv/x is mounted on / but it is not a shared or slave mount');
  assert.equal(buildSpec(prop('rslave', '/mnt/slave/dir')).linux.rootfsPropagation, 'rslave');
  throwsEngine(() => buildSpec(prop('shared', '/mnt/slave/dir')), 'internal', 'path /mnt/slave/dir is mounted on /mnt/slave but it is not a shared mount');
  assert.equal(buildSpec(prop('rprivate')).linux.rootfsPropagation, 'rprivate');
});

test('masked and readonly paths; privileged clears them', () => {
  const s = buildSpec(input());
  assert.deepEqual(s.linux.maskedPaths, [...DEFAULT_MASKED_PATHS]);
  assert.ok(s.linux.readonlyPaths!.includes('/proc/sys'));
  assert.ok(s.linux.maskedPaths!.includes('/proc/kcore'));
  const p = buildSpec(input({}, { Privileged: true }));
  assert.equal(p.linux.maskedPaths, undefined);
  assert.equal(p.linux.readonlyPaths, undefined);
  assert.deepEqual(buildSpec(input({}, { MaskedPaths: ['/proc/x'], ReadonlyPaths: [] })).linux.maskedPaths, ['/proc/x']);
});

test('devices: default allow-list; custom device; privileged', () => {
  const s = buildSpec(input());
  const rules = s.linux.resources!.devices!;
  assert.deepEqual(rules[0], { allow: false, access: 'rwm' });
  const allowed = rules.filter((r) => r.allow && r.access === 'rwm').map((r) => `${r.type} ${r.major}:${r.minor ?? '*'}`);
  assert.deepEqual(allowed, ['c 1:3', 'c 1:5', 'c 1:7', 'c 1:8', 'c 1:9', 'c 5:0', 'c 5:1', 'c 5:2', 'c 136:*', 'c 10:200']);
  assert.equal(s.linux.devices, undefined);
  const fuse = { type: 'c' as const, path: '/dev/fuse', major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0 };
  const c = buildSpec(input({}, { Devices: [{ PathOnHost: '/dev/fuse', PathInContainer: '/dev/f', CgroupPermissions: 'rw' }] }, { host: { devices: [fuse] } }));
  assert.deepEqual(c.linux.devices, [{ ...fuse, path: '/dev/f' }]);
  assert.deepEqual(c.linux.resources!.devices!.at(-1), { allow: true, type: 'c', major: 10, minor: 229, access: 'rw' });
  throwsEngine(() => buildSpec(input({}, { Devices: [{ PathOnHost: '/dev/nope', PathInContainer: '', CgroupPermissions: 'rwm' }] })), 'invalid-argument', /custom device "\/dev\/nope"/);
  const p = buildSpec(input({}, { Privileged: true }, { host: { devices: [fuse] } }));
  assert.deepEqual(p.linux.resources!.devices, [{ allow: true, access: 'rwm' }]);
  assert.deepEqual(p.linux.devices, [fuse]);
});

test('resources', () => {
  const r = buildSpec(
    input({}, { Memory: 64 << 20, MemoryReservation: 32 << 20, CpuShares: 512, NanoCpus: 1.5e9, CpusetCpus: '0', CpusetMems: '0', PidsLimit: 50, BlkioWeight: 300, OomScoreAdj: 100 }),
  );
  assert.deepEqual(r.linux.resources!.memory, { limit: 64 << 20, reservation: 32 << 20, swap: 128 << 20 });
  assert.deepEqual(r.linux.resources!.cpu, { shares: 512, period: 100000, quota: 150000, cpus: '0', mems: '0' });
  assert.deepEqual(r.linux.resources!.pids, { limit: 50 });
  assert.deepEqual(r.linux.resources!.blockIO, { weight: 300 });
  assert.equal(r.process.oomScoreAdj, 100);
  assert.equal(r.linux.cgroupsPath, 'berth/abc123');
  const q = buildSpec(input({}, { CpuQuota: 50000, CpuPeriod: 100000, Memory: 64 << 20, MemorySwap: -1 }, { host: { blkioWeight: false } }));
  assert.deepEqual(q.linux.resources!.cpu, { period: 100000, quota: 50000 });
  assert.equal(q.linux.resources!.memory!.swap, -1);
  const n = buildSpec(input({}, { Memory: 64 << 20, BlkioWeight: 300 }, { host: { swapAccounting: false, blkioWeight: false } }));
  assert.deepEqual(n.linux.resources!.memory, { limit: 64 << 20 });
  assert.equal(n.linux.resources!.blockIO, undefined);
  assert.equal(buildSpec(input()).linux.resources!.memory, undefined);
  throwsEngine(() => buildSpec(input({}, { Memory: 1024 })), 'invalid-argument', 'Minimum memory limit allowed is 6MB');
  throwsEngine(() => buildSpec(input({}, { NanoCpus: 1e9, CpuQuota: 5000 })), 'invalid-argument', 'Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  throwsEngine(() => buildSpec(input({}, { MemorySwap: 100 << 20 })), 'invalid-argument', /You should always set the Memory limit/);
  throwsEngine(() => buildSpec(input({}, { OomScoreAdj: 2000 })), 'invalid-argument', 'Invalid value 2000, range for oom score adj is [-1000, 1000]');
});

test('rlimits: mapping, soft>hard, host hard limit', () => {
  const s = buildSpec(input({}, { Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }, { Name: 'nproc', Soft: 10, Hard: 20 }] }, { hostRlimitNofile: { soft: 1024, hard: 20000 } }));
  assert.deepEqual(s.process.rlimits, [
    { type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 },
    { type: 'RLIMIT_NPROC', soft: 10, hard: 20 },
  ]);
  assert.equal(buildSpec(input()).process.rlimits, undefined);
  throwsEngine(
    () => buildSpec(input({}, { Ulimits: [{ Name: 'nofile', Soft: 1048576, Hard: 1048576 }] }, { hostRlimitNofile: { soft: 1024, hard: 20000 } })),
    'invalid-argument',
    "ulimit nofile: hard limit 1048576 exceeds the daemon's limit 20000; root lacks CAP_SYS_RESOURCE on this host",
  );
  throwsEngine(() => buildSpec(input({}, { Ulimits: [{ Name: 'nofile', Soft: 3, Hard: 2 }] })), 'invalid-argument', /soft limit must be less than or equal to hard limit: 3 > 2/);
  throwsEngine(() => buildSpec(input({}, { Ulimits: [{ Name: 'bogus', Soft: 1, Hard: 1 }] })), 'invalid-argument', 'invalid ulimit type: bogus');
});

test('sysctls', () => {
  assert.deepEqual(buildSpec(input({}, { Sysctls: { 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '1000' } })).linux.sysctl, {
    'net.ipv4.ip_forward': '1',
    'kernel.shmmax': '1000',
  });
  throwsEngine(() => buildSpec(input({}, { Sysctls: { 'net.ipv4.ip_forward': '1' } }, { netns: { mode: 'host' } })), 'invalid-argument', /host network namespace/);
  throwsEngine(() => buildSpec(input({}, { Sysctls: { 'vm.swappiness': '1' } })), 'invalid-argument', "sysctl 'vm.swappiness' is not allowed");
});

test('seccomp: default on, unconfined, privileged, inline and file profiles', () => {
  const s = buildSpec(input());
  assert.equal(s.linux.seccomp!.defaultAction, 'SCMP_ACT_ERRNO');
  assert.equal(s.linux.seccomp!.defaultErrnoRet, 1);
  assert.deepEqual(s.linux.seccomp!.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  assert.equal(buildSpec(input({}, { SecurityOpt: ['seccomp=unconfined'] })).linux.seccomp, undefined);
  assert.equal(buildSpec(input({}, { SecurityOpt: ['seccomp:unconfined'] })).linux.seccomp, undefined);
  assert.equal(buildSpec(input({}, { Privileged: true })).linux.seccomp, undefined);
  const profile = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['chmod'], action: 'SCMP_ACT_ERRNO' }] };
  const inline = buildSpec(input({}, { SecurityOpt: [`seccomp=${JSON.stringify(profile)}`] })).linux.seccomp;
  assert.deepEqual(inline, { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['chmod'], action: 'SCMP_ACT_ERRNO' }] });
  const read: string[] = [];
  const file = buildSpec(input({}, { SecurityOpt: ['seccomp=/etc/p.json'] }, { readFile: (p) => (read.push(p), JSON.stringify(profile)) })).linux.seccomp;
  assert.deepEqual(read, ['/etc/p.json']);
  assert.deepEqual(file, inline);
  throwsEngine(() => buildSpec(input({}, { SecurityOpt: ['seccomp={bad'] })), 'invalid-argument', /Decoding seccomp profile failed/);
});
