import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCommand, runInPty } from './lib/exec.js';
import { mountsUnder, unmountAllUnder } from './lib/host-cleanup.js';
import { MAKE_ROOTFS, REPO_ROOT } from './lib/paths.js';
import { tarBuffer } from './lib/archives.js';
import { cidrsOverlap, nftTableExists } from './lib/host-net.js';
import { claimSlot } from './lib/net-slots.js';
import { writeFileSync } from 'node:fs';

test('make-busybox-rootfs.sh is deterministic and has busybox, applets, passwd, tmp 1777', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-e2e-self-'));
  try {
    const a = join(dir, 'a.tar');
    const b = join(dir, 'b.tar');
    for (const f of [a, b]) assert.equal(spawnSync('bash', [MAKE_ROOTFS, f]).status, 0);
    const sum = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
    assert.equal(sum(a), sum(b));
    const list = spawnSync('tar', ['-tvf', a], { encoding: 'utf8' }).stdout;
    assert.match(list, /^-rwxr-xr-x 0\/0 .* \.\/bin\/busybox$/m);
    assert.match(list, /^lrwxrwxrwx 0\/0 .* \.\/bin\/sh -> busybox$/m);
    assert.match(list, /^drwxrwxrwt 0\/0 .* \.\/tmp\/$/m);
    assert.match(list, / 1970-01-01 00:00 \.\/etc\/passwd$/m);
    const passwd = spawnSync('tar', ['-xOf', a, './etc/passwd'], { encoding: 'utf8' }).stdout;
    assert.match(passwd, /^nobody:x:65534:65534:/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mountsUnder sees a real mount and unmountAllUnder removes it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-e2e-self-'));
  const inner = join(dir, 'a b');
  mkdirSync(inner);
  try {
    assert.equal(spawnSync('mount', ['-t', 'tmpfs', 'tmpfs', inner]).status, 0);
    assert.deepEqual(mountsUnder(dir), [inner]);
    assert.deepEqual(unmountAllUnder(dir), [inner]);
    assert.deepEqual(mountsUnder(dir), []);
  } finally {
    unmountAllUnder(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('runCommand reports exit codes, stdin, and kills on timeout', async () => {
  const r = await runCommand('sh', ['-c', 'cat; echo err >&2; exit 3'], { input: 'in\n' });
  assert.deepEqual(r, { code: 3, stdout: 'in\n', stderr: 'err\n' });
  const slow = await runCommand('sleep', ['5'], { timeoutMs: 200 });
  assert.equal(slow.code, 137);
  assert.match(slow.stderr, /killed after 200 ms/);
});

test('runInPty gives the command a terminal of the asked size', async () => {
  const r = await runInPty('stty size; tty; exit 5', { rows: 33, cols: 77 });
  assert.equal(r.code, 5);
  assert.match(r.stdout, /33 77\r?\n\/dev\/pts\/\d+/);
});

test('tarBuffer keeps hostile names verbatim (the malicious-load fixtures are really hostile)', async () => {
  const buf = await tarBuffer([{ name: '../../evil', body: 'x' }, { name: 'l', type: 'link', linkname: '../../etc/passwd' }]);
  const list = spawnSync('tar', ['-tvPf', '-'], { input: buf, encoding: 'utf8' }).stdout;
  assert.match(list, /\.\.\/\.\.\/evil/);
  assert.match(list, /l link to \.\.\/\.\.\/etc\/passwd/);
});

test('forward-guard.sh: install is idempotent and drops forwarding out of the default-route interface; remove', () => {
  const env = { ...process.env, BERTH_FORWARD_GUARD_TABLE: `berth-fg-self-${process.pid}` };
  const guard = (cmd: string) => spawnSync('bash', [join(REPO_ROOT, 'scripts/lib/forward-guard.sh'), cmd], { env, encoding: 'utf8' });
  try {
    assert.equal(guard('status').status, 1);
    assert.equal(guard('install').status, 0);
    assert.equal(guard('install').status, 0);
    const st = guard('status');
    assert.equal(st.status, 0);
    assert.match(st.stdout, /type filter hook forward priority raw; policy accept;/);
    const dev = /\bdev (\S+)/.exec(spawnSync('ip', ['-4', 'route', 'show', 'default'], { encoding: 'utf8' }).stdout)?.[1];
    if (dev) assert.match(st.stdout, new RegExp(`oifname "${dev}" counter packets \\d+ bytes \\d+ drop`));
    assert.equal((st.stdout.match(/drop/g) ?? []).length, dev ? 1 : 0, 'install twice made two rules');
  } finally {
    assert.equal(guard('remove').status, 0);
  }
  assert.equal(nftTableExists('inet', env.BERTH_FORWARD_GUARD_TABLE), false);
  assert.equal(guard('remove').status, 0);
});

test('net slots: distinct while held, released for reuse, taken over from a dead owner', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-e2e-slots-'));
  const kind = `self${process.pid}`;
  try {
    const a = claimSlot(kind, 4, dir);
    const b = claimSlot(kind, 4, dir);
    assert.notEqual(a.index, b.index);
    a.release();
    const c = claimSlot(kind, 4, dir);
    assert.equal(c.index, a.index);
    b.release();
    c.release();
    // a slot file of a process that no longer exists
    writeFileSync(join(dir, `${kind}-0`), '999999999\n');
    const d = claimSlot(kind, 4, dir);
    assert.equal(d.index, 0);
    d.release();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(cidrsOverlap('10.250.1.0/24', '10.250.0.0/20'), true);
  assert.equal(cidrsOverlap('10.250.16.0/24', '10.250.0.0/20'), false);
  assert.equal(cidrsOverlap('10.253.3.7', '10.253.3.0/24'), true);
});
