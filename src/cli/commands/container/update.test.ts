import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeDaemon } from '../../../api-client/testing/fake-daemon.js';
import { CliRunner, asBerth, hasDockerCli } from '../../testing/cli-runner.js';
import { parseNanoCpus, updateRequest } from './update.js';

let d: FakeDaemon;
let runner: CliRunner;

before(async () => {
  d = await FakeDaemon.start('1.43');
  d.on('POST /containers/:id/update', (q, res) => {
    const id = decodeURIComponent(q.path.split('/')[2]!);
    if (id === 'nope') return d.error(res, 404, 'No such container: nope');
    if (id === 'rm') return d.error(res, 409, `Cannot update container ${'a'.repeat(64)}: Restart policy cannot be updated because AutoRemove is enabled for the container`);
    if (id === 'warn') return d.json(res, 200, { Warnings: ['Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.'] });
    d.json(res, 200, { Warnings: null });
  });
  runner = new CliRunner(d);
});
after(async () => {
  runner.close();
  await d.stop();
});

const LINES: string[][] = [
  ['update', '-m', '100m', '--memory-swap', '-1', 'web', 'nope', 'web2'],
  ['update', '--cpus', '1.5', '-c', '512', '--cpuset-cpus', '0-1', '--cpuset-mems', '0', '--pids-limit', '-1', '--blkio-weight', '300', 'web'],
  ['update', '--cpu-period', '100000', '--cpu-quota', '50000', '--memory-reservation', '32m', '--restart', 'on-failure:3', 'web'],
  ['container', 'update', '--restart', 'always', 'warn', 'rm', 'web'],
  ['update', '--restart=unless-stopped', 'web'],
  ['update', 'web'],
  ['update'],
  ['update', '-m', 'foo', 'web'],
  ['update', '--cpus', 'abc', 'web'],
  ['update', '--blkio-weight', '70000', 'web'],
  ['update', '--cpu-shares', 'x', 'web'],
  ['update', '--restart', 'on-failure:x', 'web'],
  ['update', '--restart', ':3', 'web'],
  ['update', '--bogus', 'web'],
];

for (const args of LINES) {
  test(`berth ${args.join(' ')} = docker (output, exit code, request body)`, { skip: !hasDockerCli() && 'docker CLI not installed' }, async () => {
    const dk = await runner.docker(args);
    const b = await runner.berth(args);
    assert.equal(b.out, dk.out, 'stdout');
    assert.equal(b.err, asBerth(dk.err), 'stderr');
    assert.equal(b.code, dk.code, 'exit code');
    const bodies = (rs: typeof b.requests): unknown[] => rs.filter((r) => r.path.endsWith('/update')).map((r) => [r.path, JSON.parse(r.body.toString())]);
    assert.deepEqual(bodies(b.requests), bodies(dk.requests));
  });
}

test('updateRequest: zero values for what is not given; PidsLimit only when given', () => {
  const r = updateRequest({ memory: 64 << 20 });
  assert.equal(r.Memory, 64 << 20);
  assert.equal(r.PidsLimit, null);
  assert.deepEqual(r.RestartPolicy, { Name: '', MaximumRetryCount: 0 });
  assert.equal(updateRequest({ pidsLimit: -1 }).PidsLimit, -1);
  assert.deepEqual(updateRequest({ restart: 'on-failure:2' }).RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 2 });
});

test('parseNanoCpus', () => {
  assert.equal(parseNanoCpus('1.5'), 1_500_000_000);
  assert.equal(parseNanoCpus('0.001'), 1_000_000);
  assert.throws(() => parseNanoCpus('abc'), { message: 'failed to parse abc as a rational number' });
});
