import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachTarget, runCommand, runInPty, uniq } from './harness.js';

forEachTarget('run basics', (t) => {
  test('run --rm busybox echo hello prints hello', async () => {
    const r = await t().docker(['run', '--rm', 'busybox', 'echo', 'hello']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hello\n');
  });

  test('the exit code propagates', async () => {
    const r = await t().docker(['run', '--rm', 'busybox', 'sh', '-c', 'exit 3']);
    assert.equal(r.code, 3, r.stderr);
  });

  test('stdout and stderr stay apart', async () => {
    const r = await t().docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
  });

  test('a nonexistent command gives 127 and Docker\'s message', async () => {
    const r = await t().docker(['run', '--rm', 'busybox', 'nonexistent-cmd']);
    assert.equal(r.code, 127, r.stderr);
    assert.match(r.stderr, /exec: "nonexistent-cmd": executable file not found in \$PATH/);
  });

  test('-i forwards piped stdin', async () => {
    const r = await t().docker(['run', '-i', '--rm', 'busybox', 'cat'], { input: 'hi\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'hi\n');
    const big = Buffer.alloc(1 << 20, 'x');
    const w = await t().docker(['run', '-i', '--rm', 'busybox', 'wc', '-c'], { input: big });
    assert.equal(w.stdout.trim(), String(1 << 20));
  });

  test('-it under a pseudo-terminal gets a tty of the right size', async () => {
    const r = await runInPty(`docker run -it --rm busybox sh -c 'sleep 1; stty size; tty; exit 4'`, {
      env: { ...t().env(), PATH: `/usr/local/bin:${process.env.PATH}` },
      rows: 30,
      cols: 100,
    });
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(r.stdout, /30 100\r?\n/);
    assert.match(r.stdout, /\/dev\/pts\/\d+\r?\n/);
  });

  test('-e and --env-file set the environment; PATH has Docker\'s default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-e2e-env-'));
    try {
      const file = join(dir, 'env');
      writeFileSync(file, '# comment\nA=1\nB=two words\n\n');
      const r = await t().docker(['run', '--rm', '-e', 'FOO=bar', '--env-file', file, 'busybox', 'sh', '-c', 'echo "$FOO|$A|$B|$PATH"']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'bar|1|two words|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('-w sets (and creates) the working directory', async () => {
    const r = await t().docker(['run', '--rm', '-w', '/tmp', 'busybox', 'pwd']);
    assert.equal(r.stdout, '/tmp\n', r.stderr);
    const n = await t().docker(['run', '--rm', '-w', '/made/by/engine', 'busybox', 'pwd']);
    assert.equal(n.stdout, '/made/by/engine\n', n.stderr);
  });

  test('-u nobody runs as nobody', async () => {
    const r = await t().docker(['run', '--rm', '-u', 'nobody', 'busybox', 'id']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)\n');
    const n = await t().docker(['run', '--rm', '-u', '1234:5678', 'busybox', 'id', '-u']);
    assert.equal(n.stdout, '1234\n', n.stderr);
  });

  test('--entrypoint replaces the entrypoint', async () => {
    const r = await t().docker(['run', '--rm', '--entrypoint', 'echo', 'busybox', 'via', 'entrypoint']);
    assert.equal(r.stdout, 'via entrypoint\n', r.stderr);
  });

  test('--hostname sets the hostname', async () => {
    const r = await t().docker(['run', '--rm', '--hostname', 'myhost', 'busybox', 'hostname']);
    assert.equal(r.stdout, 'myhost\n', r.stderr);
  });

  test('-l sets labels visible in inspect', async () => {
    const name = uniq('lbl');
    const c = await t().docker(['create', '--name', name, '-l', 'team=blue', '--label', 'tier=db', 'busybox', 'true']);
    assert.equal(c.code, 0, c.stderr);
    const r = await t().docker(['inspect', '--format', '{{json .Config.Labels}}', name]);
    assert.deepEqual(JSON.parse(r.stdout), { team: 'blue', tier: 'db' });
    await t().docker(['rm', name]);
  });

  test('--init makes an init process PID 1', async () => {
    const r = await t().docker(['run', '--rm', '--init', 'busybox', 'ps', '-o', 'pid,args']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').slice(1).map((l) => l.trim());
    const pid1 = lines.find((l) => l.startsWith('1 '));
    assert.ok(pid1 && /init|tini|catatonit/.test(pid1), `PID 1 is not an init: ${r.stdout}`);
    assert.ok(lines.some((l) => /^\d+ ps /.test(l) && !l.startsWith('1 ')), r.stdout);
  });

  test('--network none has only lo', async () => {
    const r = await t().docker(['run', '--rm', '--network', 'none', 'busybox', 'ip', '-o', 'link']);
    assert.equal(r.code, 0, r.stderr);
    const names = r.stdout.trim().split('\n').map((l) => l.split(':')[1]!.trim());
    assert.deepEqual(names, ['lo']);
  });

  test('--network host sees the host\'s interfaces and hostname', async () => {
    // veths and bridges of other containers come and go meanwhile: compare with the host's
    // interfaces before and after (stable ones must be seen, none may be unknown)
    const hostLinks = async () => (await runCommand('ip', ['-o', 'link'])).stdout.trim().split('\n').map((l) => l.split(':')[1]!.trim().replace(/@.*/, ''));
    const before = await hostLinks();
    const r = await t().docker(['run', '--rm', '--network', 'host', 'busybox', 'sh', '-c', 'ip -o link | cut -d: -f2; hostname']);
    const after = await hostLinks();
    assert.equal(r.code, 0, r.stderr);
    const out = r.stdout.trim().split('\n').map((s) => s.trim().replace(/@.*/, ''));
    const hn = (await runCommand('hostname', [])).stdout.trim();
    assert.equal(out.pop(), hn);
    const stable = before.filter((n) => after.includes(n));
    assert.deepEqual(stable.filter((n) => !out.includes(n)), [], 'host interfaces missing in the container');
    assert.deepEqual(out.filter((n) => !before.includes(n) && !after.includes(n)), [], 'interfaces the host does not have');
    assert.ok(out.includes('lo') && out.includes('eth0') === stable.includes('eth0'));
  });
});
