import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { forEachTarget } from './harness.js';

/** Docker's default bounding set (CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP). */
const DOCKER_DEFAULT_CAPS = '00000000a80425fb';

forEachTarget('isolation', (t) => {
  const sh = (script: string, ...opts: string[]) => t().docker(['run', '--rm', ...opts, 'busybox', 'sh', '-c', script]);

  test('capabilities: Docker\'s default set, nothing inheritable', async () => {
    const r = await sh('grep ^Cap /proc/self/status');
    assert.equal(r.code, 0, r.stderr);
    const caps = Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split(/:\s+/) as [string, string]));
    assert.equal(caps.CapInh, '0000000000000000');
    assert.equal(caps.CapBnd, DOCKER_DEFAULT_CAPS);
    assert.equal(caps.CapEff, DOCKER_DEFAULT_CAPS);
    assert.equal(caps.CapAmb, '0000000000000000');
    const nobody = await sh('grep ^CapEff /proc/self/status', '-u', 'nobody');
    assert.equal(nobody.stdout.trim().split(/\s+/)[1], '0000000000000000');
  });

  test('--cap-add / --cap-drop change the set', async () => {
    const r = await sh('grep ^CapBnd /proc/self/status', '--cap-drop', 'ALL', '--cap-add', 'NET_ADMIN');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split(/\s+/)[1], '0000000000001000');
  });

  test('seccomp filter is on and no_new_privs is set', async () => {
    const r = await sh('grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status');
    assert.match(r.stdout, /^Seccomp:\s+2$/m);
  });

  test('/proc/kcore & co are masked, /proc/sys is read-only', async () => {
    const masked = ['/proc/kcore', '/proc/keys', '/proc/timer_list', '/proc/sched_debug'].filter((p) => existsSync(p));
    assert.ok(masked.length > 0, 'host has none of the masked /proc files');
    for (const p of masked) {
      const r = await sh(`stat -c '%F %t,%T' ${p}; wc -c < ${p}`);
      assert.equal(r.stdout, 'character special file 1,3\n0\n', `${p} is not masked with /dev/null: ${r.stdout}${r.stderr}`);
    }
    const sys = await sh('echo x > /proc/sys/kernel/hostname && echo wrote || echo refused');
    assert.equal(sys.stdout.trim(), 'refused');
    const mounts = await sh("awk '$2 == \"/proc/sys\" {print $4}' /proc/self/mounts");
    assert.match(mounts.stdout, /^ro\b/m);
  });

  test('/dev has Docker\'s minimal device set', async () => {
    const r = await sh('ls /dev | sort');
    assert.equal(r.code, 0, r.stderr);
    const devs = r.stdout.trim().split('\n');
    for (const d of ['full', 'null', 'ptmx', 'pts', 'random', 'shm', 'tty', 'urandom', 'zero', 'fd', 'stdin', 'stdout', 'stderr', 'mqueue']) {
      assert.ok(devs.includes(d), `/dev lacks ${d}: ${devs.join(' ')}`);
    }
    for (const d of devs) {
      assert.ok(['console', 'core', 'full', 'null', 'ptmx', 'pts', 'random', 'shm', 'tty', 'urandom', 'zero', 'fd', 'stdin', 'stdout', 'stderr', 'mqueue'].includes(d), `unexpected /dev/${d}`);
    }
    const nul = await sh('stat -c "%t,%T %a" /dev/null');
    assert.equal(nul.stdout.trim(), '1,3 666');
  });

  test('pid, uts, ipc, mount namespaces are private', async () => {
    const r = await sh('echo $$; ps -o pid | wc -l');
    assert.equal(r.stdout.trim().split('\n')[0], '1');
    const hostNs = (await import('node:fs')).readlinkSync('/proc/self/ns/pid');
    const ctr = await sh('readlink /proc/1/ns/pid');
    assert.notEqual(ctr.stdout.trim(), hostNs);
  });

  test('the root filesystem is writable but private; --read-only makes it read-only', async () => {
    const rw = await sh('echo hi > /file && cat /file');
    assert.equal(rw.stdout, 'hi\n', rw.stderr);
    const ro = await sh('echo hi > /file 2>/dev/null && echo wrote || echo refused', '--read-only');
    assert.equal(ro.stdout.trim(), 'refused');
  });
});
