import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BerthDaemon, forEachTarget, uniq, type Target } from './harness.js';

/** This host's capability bounding set (the test runs as root, like the daemons). */
const HOST_CAPBND = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '';
const FULL_CAPBND = (1n << (BigInt(readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim()) + 1n)) - 1n;
/** dockerd asks for every capability it knows; on a host whose bounding set lacks some, its capset fails. */
const DOCKER_PRIVILEGED_FAILS = BigInt(`0x${HOST_CAPBND || '0'}`) !== FULL_CAPBND;
const HAS_LOOP0 = existsSync('/dev/loop0');

forEachTarget('run options: devices and privileges', (t) => {
  const sh = (script: string, ...opts: string[]) => t().docker(['run', '--rm', '--network', 'none', ...opts, 'busybox', 'sh', '-c', script]);
  const field = (out: string, key: string): string => new RegExp(`^${key}:\\s*(\\S+)`, 'm').exec(out)?.[1] ?? '';

  test('--device host:ctr maps a char device; :r makes a block device read-only', async () => {
    const r = await sh('stat -c "%F %t,%T" /dev/xnull && echo hi > /dev/xnull && echo written', '--device', '/dev/null:/dev/xnull');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'character special file 1,3\nwritten\n');
    if (!HAS_LOOP0) return;
    const b = await sh('stat -c "%F %t,%T" /dev/l0; echo x > /dev/l0 || echo refused', '--device', '/dev/loop0:/dev/l0:r');
    assert.equal(b.code, 0, b.stderr);
    assert.equal(b.stdout, 'block special file 7,0\nrefused\n');
  });

  test('--device: a missing path or a file that is no device is refused with Docker\'s wording', async () => {
    const missing = await sh('true', '--device', '/dev/berth-nope');
    assert.equal(missing.code, 127);
    assert.match(missing.stderr, /error gathering device information while adding custom device "\/dev\/berth-nope": no such file or directory/);
    const file = await sh('true', '--device', '/etc/hostname');
    assert.equal(file.code, 125);
    assert.match(file.stderr, /error gathering device information while adding custom device "\/etc\/hostname": not a device node/);
  });

  test('--device-cgroup-rule allows a device made with mknod', { skip: !HAS_LOOP0 && 'no /dev/loop0 on this host' }, async () => {
    const script = 'mknod /dev/l0 b 7 0 && head -c 1 /dev/l0 > /dev/null && echo readable || echo refused';
    assert.equal((await sh(script)).stdout, 'refused\n');
    const r = await sh(script, '--device-cgroup-rule', 'b 7:* rwm');
    assert.equal(r.stdout, 'readable\n', r.stderr);
  });

  test('--privileged: the host\'s bounding set, every host device, no seccomp, writable /sys', async (ctx) => {
    if (t().isDocker && DOCKER_PRIVILEGED_FAILS) {
      ctx.skip(`dockerd asks for capabilities this host's bounding set (${HOST_CAPBND}) lacks: its capset fails`);
      return;
    }
    const r = await sh('grep -E "^(CapBnd|CapEff|Seccomp):" /proc/self/status; ls /dev | wc -l; grep " /sys " /proc/mounts | cut -d" " -f4 | cut -d, -f1', '--privileged');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(field(r.stdout, 'CapBnd'), HOST_CAPBND);
    assert.equal(field(r.stdout, 'CapEff'), HOST_CAPBND);
    assert.equal(field(r.stdout, 'Seccomp'), '0');
    const [devCount, sysMode] = r.stdout.trim().split('\n').slice(-2);
    assert.ok(Number(devCount) > 20, `only ${devCount} entries in /dev`);
    assert.equal(sysMode, 'rw');
    if (HAS_LOOP0) assert.equal((await sh('test -b /dev/loop0 && echo yes', '--privileged')).stdout, 'yes\n');
    const name = uniq('priv-exec');
    try {
      await t().docker(['run', '-d', '--name', name, '--network', 'none', 'busybox', 'sleep', '60']);
      const e = await t().docker(['exec', '--privileged', name, 'grep', '^CapEff', '/proc/self/status']);
      assert.equal(field(e.stdout, 'CapEff'), HOST_CAPBND, e.stderr);
    } finally {
      await t().docker(['rm', '-f', name]);
    }
  });

  test('--cap-add ALL grants what the host has; --cap-drop/--cap-add tweak the default set', async (ctx) => {
    const tweak = await sh('grep ^CapBnd /proc/self/status', '--cap-drop', 'chown', '--cap-add', 'SYS_ADMIN', '--cap-add', 'cap_net_admin');
    assert.equal(tweak.code, 0, tweak.stderr);
    assert.equal(field(tweak.stdout, 'CapBnd'), '00000000a82435fa');
    const bad = await sh('true', '--cap-add', 'FOO');
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /invalid CapAdd: unknown capability: "CAP_FOO"/);
    if (t().isDocker && DOCKER_PRIVILEGED_FAILS) {
      ctx.diagnostic('--cap-add ALL not run on dockerd: this host lacks capabilities it asks for');
      return;
    }
    const all = await sh('grep ^CapBnd /proc/self/status', '--cap-add', 'ALL', '--cap-drop', 'ALL');
    assert.equal(field(all.stdout, 'CapBnd'), HOST_CAPBND, all.stderr);
  });

  test('--security-opt no-new-privileges, seccomp=unconfined, seccomp=<profile>', async () => {
    const nnp = await sh('grep ^NoNewPrivs /proc/self/status', '--security-opt', 'no-new-privileges');
    assert.equal(field(nnp.stdout, 'NoNewPrivs'), '1', nnp.stderr);
    const unconfined = await sh('grep ^Seccomp: /proc/self/status', '--security-opt', 'seccomp=unconfined');
    assert.equal(field(unconfined.stdout, 'Seccomp'), '0', unconfined.stderr);
    const dir = mkdtempSync(join(tmpdir(), 'berth-e2e-seccomp-'));
    try {
      const profile = join(dir, 'p.json');
      writeFileSync(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] }));
      const r = await sh('mkdir /x 2>&1; grep ^Seccomp: /proc/self/status', '--security-opt', `seccomp=${profile}`);
      assert.equal(r.stdout, "mkdir: can't create directory '/x': Operation not permitted\nSeccomp:\t2\n", r.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const bad = await sh('true', '--security-opt', 'foo=bar');
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /invalid --security-opt 2: "foo=bar"/);
  });

  test('--group-add by gid and name; a missing group is refused', async () => {
    const r = await t().docker(['run', '--rm', '--network', 'none', '--group-add', '1234', '--group-add', 'tty', 'busybox', 'id']);
    assert.equal(r.stdout, 'uid=0(root) gid=0(root) groups=0(root),5(tty),1234\n', r.stderr);
    const bad = await sh('true', '--group-add', 'nosuchgroup');
    assert.equal(bad.code, 125);
    assert.match(bad.stderr, /Unable to find group nosuchgroup: no matching entries in group file/);
  });

  test('--sysctl sets namespaced keys; --shm-size; --ulimit', async () => {
    const s = await sh('cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax', '--sysctl', 'net.ipv4.ip_forward=1', '--sysctl', 'kernel.shmmax=1000000');
    assert.equal(s.stdout, '1\n1000000\n', s.stderr);
    const shm = await sh("df -k /dev/shm | awk 'NR==2 {print $2}'", '--shm-size', '10m');
    assert.equal(shm.stdout, '10240\n', shm.stderr);
    const u = await sh('ulimit -n; ulimit -Hn; ulimit -u', '--ulimit', 'nofile=100:200', '--ulimit', 'nproc=50');
    assert.equal(u.stdout, '100\n200\n50\n', u.stderr);
  });

  test('--read-only with --tmpfs mounts', async () => {
    const r = await sh('touch /run/a && touch /data/b && stat -c %a /data && touch /c 2>&1', '--read-only', '--tmpfs', '/run', '--tmpfs', '/data:size=1m,mode=700');
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "700\ntouch: /c: Read-only file system\n");
  });

  test('--oom-kill-disable (warned about without a memory limit) and --oom-score-adj', async () => {
    const r = await sh('head -1 /sys/fs/cgroup/memory/memory.oom_control 2>/dev/null || echo v2', '--oom-kill-disable', '-m', '32m');
    assert.match(r.stdout, /^(oom_kill_disable 1|v2)\n$/, r.stderr);
    const warned = await sh('true', '--oom-kill-disable');
    assert.equal(warned.code, 0, warned.stderr);
    assert.match(warned.stderr, /WARNING: OOM killer is disabled for the container, but no memory limit is set/);
    assert.equal((await sh('cat /proc/self/oom_score_adj', '--oom-score-adj', '500')).stdout, '500\n');
    const bad = await sh('true', '--oom-score-adj', '5000');
    assert.match(bad.stderr, /Invalid value 5000, range for oom score adj is \[-1000, 1000\]/);
  });

  test('--cgroupns private hides the host cgroup path; host shows it', async () => {
    const priv = await sh('head -1 /proc/self/cgroup | cut -d: -f3', '--cgroupns', 'private');
    assert.equal(priv.stdout, '/\n', priv.stderr);
    const host = await sh('head -1 /proc/self/cgroup | cut -d: -f3', '--cgroupns', 'host');
    assert.match(host.stdout, /^\/.+\/[0-9a-f]{64}\n$/, host.stderr);
  });

  test('--ipc none/host/private, shareable shared with container:X, non-shareable donors refused', async () => {
    assert.equal((await sh('test -e /dev/shm && echo has || echo none', '--ipc', 'none')).stdout, 'none\n');
    const host = await sh('readlink /proc/self/ns/ipc', '--ipc', 'host');
    assert.equal(host.stdout.trim(), readlinkSync('/proc/self/ns/ipc'));
    const donor = uniq('ipc-donor');
    const plain = uniq('ipc-private');
    try {
      const d = await t().docker(['run', '-d', '--name', donor, '--network', 'none', '--ipc', 'shareable', 'busybox', 'sh', '-c', 'echo shared > /dev/shm/f; sleep 60']);
      assert.equal(d.code, 0, d.stderr);
      await t().docker(['run', '-d', '--name', plain, '--network', 'none', 'busybox', 'sleep', '60']);
      const joined = await sh(`cat /dev/shm/f; readlink /proc/self/ns/ipc`, '--ipc', `container:${donor}`);
      const own = await t().docker(['exec', donor, 'readlink', '/proc/self/ns/ipc']);
      assert.equal(joined.stdout, `shared\n${own.stdout}`, joined.stderr);
      const refused = await sh('true', '--ipc', `container:${plain}`);
      assert.equal(refused.code, 125);
      assert.match(refused.stderr, /can't join IPC of container [0-9a-f]{64}: non-shareable IPC \(hint: use IpcMode:shareable for the donor container\)/);
      const ins = await t().docker(['inspect', '-f', '{{.HostConfig.IpcMode}}', plain]);
      assert.equal(ins.stdout, 'private\n');
    } finally {
      await t().docker(['rm', '-f', donor, plain]);
    }
    const bad = await sh('true', '--ipc', 'bogus');
    assert.match(bad.stderr, /Invalid IPC mode: bogus/);
  });

  test('--pid host and container:X; --uts host; --userns host', async () => {
    const pidHost = await sh('readlink /proc/self/ns/pid', '--pid', 'host');
    assert.equal(pidHost.stdout.trim(), readlinkSync('/proc/self/ns/pid'), pidHost.stderr);
    const donor = uniq('pid-donor');
    try {
      await t().docker(['run', '-d', '--name', donor, '--network', 'none', 'busybox', 'sleep', '61']);
      const r = await sh('ps -o args | grep -c "^sleep 61"', '--pid', `container:${donor}`);
      assert.equal(r.stdout, '1\n', r.stderr);
    } finally {
      await t().docker(['rm', '-f', donor]);
    }
    assert.equal((await sh('hostname', '--uts', 'host')).stdout, `${hostname()}\n`);
    const conflict = await sh('hostname', '--uts', 'host', '-h', 'foo');
    assert.equal(conflict.code, 125);
    assert.match(conflict.stderr, /conflicting options: hostname and the UTS mode/);
    const userns = await sh('cat /proc/self/uid_map', '--userns', 'host');
    assert.match(userns.stdout, /^\s+0\s+0\s+4294967295\n$/, userns.stderr);
  });
});

forEachTarget('run options: create defaults and API details', (t) => {
  const create = async (t: Target, body: object): Promise<string> => {
    const r = await t.api('POST', '/v1.41/containers/create', body);
    assert.equal(r.status, 201, r.body);
    return r.json<{ Id: string }>().Id;
  };

  test('inspect shows dockerd\'s defaults: LogConfig json-file, Runtime, ShmSize, IpcMode, CgroupnsMode', async () => {
    const id = (await t().docker(['create', '--network', 'none', 'busybox', 'true'])).stdout.trim();
    try {
      const r = await t().docker(['inspect', '-f', '{{.HostConfig.LogConfig.Type}} {{.HostConfig.ShmSize}} {{.HostConfig.IpcMode}} {{.HostConfig.CgroupnsMode}}', id]);
      assert.equal(r.stdout, `json-file 67108864 private ${existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'private' : 'host'}\n`);
      const rt = await t().docker(['inspect', '-f', '{{.HostConfig.Runtime}}', id]);
      assert.match(rt.stdout, /^(runc|crun)\n$/);
    } finally {
      await t().docker(['rm', '-f', id]);
    }
  });

  test('an unknown log driver is refused at create (400)', async () => {
    const r = await t().docker(['create', '--network', 'none', '--log-driver', 'asdf', 'busybox', 'true']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error looking up logging plugin asdf: plugin "asdf" not found/);
    const api = await t().api('POST', '/v1.41/containers/create', { Image: 'busybox', HostConfig: { LogConfig: { Type: 'asdf' } } });
    assert.equal(api.status, 400);
  });

  test('JSON keys of the create body match case-insensitively, as Go decodes them', async () => {
    const id = await create(t(), {
      image: 'busybox',
      CMD: ['true'],
      labels: { MixedCase: '1' },
      hostconfig: { networkmode: 'none', MEMORY: 10_000_000, CPURealtimeRuntime: 0, restartpolicy: { name: 'on-failure', maximumretrycount: 2 } },
    });
    try {
      const r = await t().docker(['inspect', '-f', '{{json .Config.Cmd}} {{json .Config.Labels}} {{.HostConfig.NetworkMode}} {{.HostConfig.Memory}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}', id]);
      assert.equal(r.stdout, '["true"] {"MixedCase":"1"} none 10000000 on-failure:2\n');
    } finally {
      await t().docker(['rm', '-f', id]);
    }
  });

  test('swarm endpoints answer 503 as a dockerd outside a swarm', async () => {
    const msg = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';
    for (const path of ['/v1.41/swarm', '/v1.41/services', '/v1.41/nodes', '/v1.41/tasks', '/v1.41/secrets', '/v1.41/configs']) {
      const r = await t().api('GET', path);
      assert.equal(r.status, 503, `${path}: ${r.body}`);
      assert.equal(r.json().message, msg);
    }
    const leave = await t().api('POST', '/v1.41/swarm/leave');
    assert.deepEqual([leave.status, leave.json().message], [503, 'This node is not part of a swarm']);
    const ls = await t().docker(['service', 'ls']);
    assert.equal(ls.code, 1);
    assert.match(ls.stderr, /This node is not a swarm manager/);
  });

  test('a broken archive sent to /images/load gets its error inside a 200 stream', async () => {
    const r = await t().api('POST', '/v1.41/images/load', Buffer.from('this is not a tar archive at all'));
    assert.equal(r.status, 200, r.body);
    const last = JSON.parse(r.body.trim().split('\n').at(-1)!);
    assert.equal(typeof last.errorDetail?.message, 'string');
    assert.equal(last.error, last.errorDetail.message);
    const cli = await t().docker(['load'], { input: Buffer.from('garbage') });
    assert.equal(cli.code, 1);
  });

  test('container prune reports the space of the writable layers it removed', async () => {
    const name = uniq('prune');
    const r = await t().docker(['run', '--name', name, '-l', `berth-e2e-prune=${name}`, '--network', 'none', 'busybox', 'sh', '-c', 'head -c 300000 /dev/zero > /blob']);
    assert.equal(r.code, 0, r.stderr);
    // only this test's container: the oracle is shared with other test files
    const p = await t().api('POST', `/v1.41/containers/prune?filters=${encodeURIComponent(JSON.stringify({ label: [`berth-e2e-prune=${name}`] }))}`);
    assert.equal(p.status, 200, p.body);
    const body = p.json<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>();
    assert.ok((body.ContainersDeleted ?? []).length >= 1);
    assert.ok(body.SpaceReclaimed >= 300000, `SpaceReclaimed ${body.SpaceReclaimed}`);
  });
});

forEachTarget('run options: berthd\'s working directory', (t) => {
  test('conmon runs in the container\'s state dir: nothing is left where berthd was started, even after an OOM kill', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'berth-e2e-cwd-'));
    const d = new BerthDaemon({ cwd });
    try {
      await d.start();
      await d.loadBaseImage();
      const oom = await d.docker(['run', '--rm', '--network', 'none', '-m', '8m', '--memory-swap', '8m', 'busybox', 'sh', '-c', 'head -c 64m /dev/zero | tail > /dev/null']);
      assert.equal(oom.code, 137, oom.stderr);
      const c = uniq('cwd');
      assert.equal((await d.docker(['run', '-d', '--name', c, '--network', 'none', 'busybox', 'sleep', '30'])).code, 0);
      assert.equal((await d.docker(['exec', c, 'sh', '-c', 'echo hi'])).stdout, 'hi\n');
      await d.docker(['rm', '-f', c]);
      assert.deepEqual(readdirSync(cwd), []);
    } finally {
      await d.teardown();
      assert.deepEqual(readdirSync(cwd), [], 'berthd left files in its working directory');
      rmSync(cwd, { recursive: true, force: true });
    }
  });
}, { only: ['berth'] });
