import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DOCKER_CLI, forEachTarget, runCommand, sleep, uniq, waitFor, type Target } from './harness.js';

/** `docker logs <flags> <name>` through a shell, so bytes (not text) are compared: its stdout's sha256 and size. */
async function logsDigest(t: Target, name: string, flags = '', redirect = '2>/dev/null'): Promise<string> {
  const r = await runCommand('sh', ['-c', `"${DOCKER_CLI}" logs ${flags} ${name} ${redirect} | sha256sum | cut -c1-64`], { env: t.env() });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

async function sha256(bytes: string): Promise<string> {
  const r = await runCommand('sh', ['-c', 'sha256sum | cut -c1-64'], { input: Buffer.from(bytes, 'latin1') });
  return r.stdout.trim();
}

/** The numbers of `n`-per-line output, checked to be consecutive; the first line may be the tail of a line cut by a rotation. */
function consecutive(out: string): number[] {
  const nums = out.trim().split('\n').map(Number).slice(1);
  for (let i = 1; i < nums.length; i++) assert.equal(nums[i], nums[i - 1]! + 1, `line ${nums[i - 1]} is followed by ${nums[i]}`);
  return nums;
}

async function exited(t: Target, name: string): Promise<void> {
  const w = await t.docker(['wait', name], { timeoutMs: 60_000 });
  assert.equal(w.code, 0, w.stderr);
}

forEachTarget('container logs', (t) => {
  test('stdout and stderr apart, bytes exact, -t stamps, an unended last line shown', async () => {
    const name = uniq('logbytes');
    const r = await t().docker(['run', '--name', name, 'busybox', 'sh', '-c', 'printf "a\\000b\\r\\n"; echo err >&2; printf "%s" no-newline']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await logsDigest(t(), name), await sha256('a\0b\r\nno-newline'));
    assert.equal(await logsDigest(t(), name, '', '2>&1 >/dev/null'), await sha256('err\n'));
    const stamped = await t().docker(['logs', '-t', name]);
    assert.match(stamped.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z no-newline$/m);
    assert.match(stamped.stderr, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z err\n$/);
    await t().docker(['rm', name]);
  });

  test('100k lines: logs, --tail and --since agree with what was written', async () => {
    const name = uniq('log100k');
    assert.equal((await t().docker(['run', '--name', name, 'busybox', 'seq', '1', '100000'], { timeoutMs: 120_000 })).code, 0);
    const seq = Array.from({ length: 100_000 }, (_, i) => `${i + 1}\n`).join('');
    assert.equal(await logsDigest(t(), name), await sha256(seq));
    assert.equal((await t().docker(['logs', '--tail', '3', name])).stdout, '99998\n99999\n100000\n');
    assert.equal((await t().docker(['logs', '--tail', '0', name])).stdout, '');
    const future = String(Math.floor(Date.now() / 1000) + 3600);
    assert.equal((await t().docker(['logs', '--since', future, name])).stdout, '');
    assert.equal(await logsDigest(t(), name, '--since 0'), await sha256(seq));
    await t().docker(['rm', name]);
  });

  test('--log-opt max-size/max-file: logs shows only the kept lines, the newest ones, in order', async () => {
    const name = uniq('logrot');
    const r = await t().docker(['run', '--name', name, '--log-opt', 'max-size=4k', '--log-opt', 'max-file=2', 'busybox', 'sh', '-c', 'i=1; while [ $i -le 3000 ]; do echo $i; i=$((i+1)); done'], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    const kept = consecutive((await t().docker(['logs', name])).stdout);
    assert.equal(kept[kept.length - 1], 3000);
    assert.ok(kept[0]! > 1, 'nothing was rotated away');
    assert.equal((await t().docker(['logs', '--tail', '2', name])).stdout, '2999\n3000\n');
    const cfg = await t().docker(['inspect', '-f', '{{json .HostConfig.LogConfig.Config}}', name]);
    assert.equal(cfg.stdout.trim(), '{"max-file":"2","max-size":"4k"}');
    await t().docker(['rm', name]);
  });

  test('--log-opt compress=true: older rotated files gzipped beside the log, logs reads through them', async () => {
    const name = uniq('logzip');
    const opts = ['--log-opt', 'max-size=4k', '--log-opt', 'max-file=4', '--log-opt', 'compress=true'];
    const r = await t().docker(['run', '--name', name, ...opts, 'busybox', 'sh', '-c', 'i=1; while [ $i -le 4000 ]; do echo $i; i=$((i+1)); done'], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    const logPath = (await t().docker(['inspect', '-f', '{{.LogPath}}', name])).stdout.trim();
    // compression runs after the rotation: wait for the second rotated file's .gz, then check it is gzip
    const gz = await waitFor(async () => (existsSync(`${logPath}.2.gz`) && !existsSync(`${logPath}.2`) ? `${logPath}.2.gz` : undefined), 20_000);
    assert.ok(gz, `no ${logPath}.2.gz: ${readdirSync(dirname(logPath)).join(' ')}`);
    assert.ok(gunzipSync(readFileSync(gz)).length > 0);
    const kept = consecutive((await t().docker(['logs', name])).stdout);
    assert.equal(kept[kept.length - 1], 4000);
    assert.ok(kept[0]! > 1, 'nothing was rotated away');
    assert.equal((await t().docker(['logs', '--tail', '2', name])).stdout, '3999\n4000\n');
    await t().docker(['rm', name]);
  });

  test("invalid log options: Docker's errors", async () => {
    const cases: [string[], RegExp][] = [
      [['--log-opt', 'max-size=abc'], /failed to initialize logging driver: invalid size: 'abc'/],
      [['--log-opt', 'max-file=0'], /failed to initialize logging driver: max-file cannot be less than 1/],
      [['--log-opt', 'foo=1'], /unknown log opt 'foo' for json-file log driver/],
      [['--log-driver', 'local', '--log-opt', 'foo=1'], /unknown log opt 'foo' for log driver local/],
      [['--log-opt', 'compress=true'], /compress cannot be true when max-file is less than 2 or max-size is not set/],
    ];
    for (const [flags, want] of cases) {
      const r = await t().docker(['run', '--rm', ...flags, 'busybox', 'true']);
      assert.equal(r.code, 125, `${flags.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, want);
    }
    const created = await t().docker(['create', '--log-opt', 'max-size=abc', 'busybox', 'true']);
    assert.equal(created.code, 0, 'dockerd checks sizes at start, not at create');
    await t().docker(['rm', created.stdout.trim()]);
  });

  test('logs -f follows until the container exits, then ends', async () => {
    const name = uniq('logf');
    await t().docker(['run', '-d', '--name', name, 'busybox', 'sh', '-c', 'sleep 1; seq 1 5000; echo bye >&2']);
    const r = await t().docker(['logs', '-f', name], { timeoutMs: 60_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, Array.from({ length: 5000 }, (_, i) => `${i + 1}\n`).join(''));
    assert.equal(r.stderr, 'bye\n');
    await t().docker(['rm', name]);
  });
});

forEachTarget(
  'container logs with rotation (berth)',
  (t) => {
    // Docker 20.10's json-file follower repeats and drops lines across fast rotations
    // (seen: 2,771 lines for 2,000 written), so these run against berth only.
    test('logs -f across many rotations: every line once, in order', async () => {
      const name = uniq('logfrot');
      await t().docker(['run', '-d', '--name', name, '--log-opt', 'max-size=2k', '--log-opt', 'max-file=2', 'busybox', 'sh', '-c', 'sleep 1; seq 1 20000']);
      const r = await t().docker(['logs', '-f', name], { timeoutMs: 120_000 });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, Array.from({ length: 20_000 }, (_, i) => `${i + 1}\n`).join(''));
      await t().docker(['rm', name]);
    });

    test('daemon log-opts apply to containers that set none; files stay bounded', async () => {
      const name = uniq('logdaemon');
      const r = await t().docker(['run', '--name', name, 'busybox', 'sh', '-c', 'seq 1 50000'], { timeoutMs: 120_000 });
      assert.equal(r.code, 0, r.stderr);
      const cfg = await t().docker(['inspect', '-f', '{{json .HostConfig.LogConfig}}', name]);
      assert.equal(cfg.stdout.trim(), '{"Type":"json-file","Config":{"max-file":"3","max-size":"10k"}}');
      const kept = consecutive((await t().docker(['logs', name])).stdout);
      assert.equal(kept[kept.length - 1], 50_000);
      assert.ok(kept.length < 50_000, `all ${kept.length} lines kept`);
      await t().docker(['rm', name]);
    });

    test('a daemon restart mid logs -f ends the stream cleanly; the container and its log go on', { timeout: 120_000 }, async () => {
      const d = t().daemon!;
      const name = uniq('logrestart');
      await t().docker(['run', '-d', '--name', name, 'busybox', 'sh', '-c', 'i=0; while true; do i=$((i+1)); echo $i; sleep 0.05; done']);
      const following = t().docker(['logs', '-f', name], { timeoutMs: 60_000 });
      await sleep(1500);
      await d.stop();
      const r = await following;
      assert.equal(r.code, 0, r.stderr);
      consecutive(r.stdout);
      await d.start();
      const more = await waitFor(async () => {
        const out = (await t().docker(['logs', name])).stdout.trim().split('\n');
        return out.length > r.stdout.trim().split('\n').length + 10 ? out : undefined;
      }, 20_000);
      assert.ok(more, 'the log did not grow after the restart');
      consecutive(more.join('\n'));
      await t().docker(['rm', '-f', name]);
    });
  },
  { only: ['berth'], daemon: { args: ['--log-opt', 'max-size=10k', '--log-opt', 'max-file=3'] } },
);
