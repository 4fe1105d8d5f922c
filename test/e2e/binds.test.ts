import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachTarget } from './harness.js';

forEachTarget('bind mounts and tmpfs', (t) => {
  test('-v creates a missing host directory, and writes land in it', async () => {
    const base = mkdtempSync(join(tmpdir(), 'berth-bind-'));
    try {
      const host = join(base, 'made/by/run');
      const r = await t().docker(['run', '--rm', '-v', `${host}:/data`, 'busybox', 'sh', '-c', 'echo x > /data/f; cat /data/f']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'x\n');
      assert.equal(readFileSync(join(host, 'f'), 'utf8'), 'x\n');
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  test('-v :ro is read-only inside, the host file is readable', async () => {
    const base = mkdtempSync(join(tmpdir(), 'berth-bind-'));
    try {
      writeFileSync(join(base, 'in'), 'hello\n');
      const r = await t().docker(['run', '--rm', '-v', `${base}:/d:ro`, 'busybox', 'sh', '-c', 'cat /d/in; touch /d/new']);
      assert.equal(r.stdout, 'hello\n');
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Read-only file system/);
      assert.equal(existsSync(join(base, 'new')), false);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  test('--mount type=bind with a missing source fails at create with Docker\'s message', async () => {
    const missing = join(tmpdir(), `berth-no-such-${process.pid}-${Date.now()}`);
    const r = await t().docker(['run', '--rm', '--mount', `type=bind,src=${missing},dst=/d`, 'busybox', 'true']);
    assert.equal(r.code, 125);
    assert.match(r.stderr, new RegExp(`invalid mount config for type "bind": bind source path does not exist: ${missing}`));
    assert.equal(existsSync(missing), false);
  });

  test('--tmpfs mounts a tmpfs with Docker\'s default options', async () => {
    const r = await t().docker(['run', '--rm', '--tmpfs', '/t', 'busybox', 'sh', '-c', 'grep " /t " /proc/mounts']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^tmpfs \/t tmpfs rw,nosuid,nodev,noexec/);
  });
});
