import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeDaemon } from '../../../api-client/testing/fake-daemon.js';
import { CliRunner, asBerth, hasDockerCli } from '../../testing/cli-runner.js';
import { healthConfig, parseGoDuration } from './health-flags.js';

let d: FakeDaemon;
let runner: CliRunner;

before(async () => {
  d = await FakeDaemon.start('1.43');
  d.on('POST /containers/create', (_q, res) => d.json(res, 201, { Id: 'e'.repeat(64), Warnings: [] }));
  runner = new CliRunner(d);
});
after(async () => {
  runner.close();
  await d.stop();
});

const LINES: string[][] = [
  ['create', '--health-cmd', 'curl -f localhost || exit 1', '--health-interval', '1m30s', '--health-timeout', '500ms', '--health-retries', '4', '--health-start-period', '2.5s', 'busybox'],
  ['create', '--health-interval', '10s', 'busybox'],
  ['create', '--no-healthcheck', 'busybox'],
  ['create', '--no-healthcheck', '--health-cmd', 'x', 'busybox'],
  ['create', '--health-interval', '10', 'busybox'],
  ['create', '--health-timeout', '3x', 'busybox'],
  ['create', '--health-interval', '-1s', 'busybox'],
  ['create', '--health-retries', '-2', 'busybox'],
  ['create', '--health-start-interval', '1s', 'busybox'],
];

for (const args of LINES) {
  test(`berth ${args.join(' ')} = docker (Healthcheck sent, output, exit code)`, { skip: !hasDockerCli() && 'docker CLI not installed' }, async () => {
    const dk = await runner.docker(args);
    const b = await runner.berth(args);
    const sent = (rs: typeof b.requests): unknown[] => rs.filter((r) => r.path.endsWith('/containers/create')).map((r) => (JSON.parse(r.body.toString()) as { Healthcheck?: unknown }).Healthcheck ?? null);
    assert.deepEqual(sent(b.requests), sent(dk.requests));
    assert.equal(b.out, dk.out, 'stdout');
    assert.equal(b.err, asBerth(dk.err), 'stderr');
    assert.equal(b.code, dk.code, 'exit code');
  });
}

test("parseGoDuration is Go's time.ParseDuration", () => {
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('300ms'), 3e8);
  assert.equal(parseGoDuration('1h2m3.5s'), 3723.5e9);
  assert.equal(parseGoDuration('-1.5µs'), -1500);
  assert.throws(() => parseGoDuration('10'), { message: 'time: missing unit in duration "10"' });
  assert.throws(() => parseGoDuration('3x'), { message: 'time: unknown unit "x" in duration "3x"' });
  assert.throws(() => parseGoDuration(''), { message: 'time: invalid duration ""' });
});

test('healthConfig: nothing given, nothing sent', () => {
  assert.equal(healthConfig({}), undefined);
  assert.deepEqual(healthConfig({ healthcheck: false }), { Test: ['NONE'] });
  assert.deepEqual(healthConfig({ healthCmd: 'x', healthRetries: 0 }), { Test: ['CMD-SHELL', 'x'] });
});
