import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeDaemon, type SeenRequest } from '../../../api-client/testing/fake-daemon.js';
import { CliRunner, asBerth, hasDockerCli } from '../../testing/cli-runner.js';
import { parseLinuxDevice, validateLinuxPath } from './resource-flags.js';

let d: FakeDaemon;
let runner: CliRunner;

before(async () => {
  d = await FakeDaemon.start('1.43');
  d.on('POST /containers/create', (_q, res) => d.json(res, 201, { Id: 'f'.repeat(64), Warnings: [] }));
  runner = new CliRunner(d);
});
after(async () => {
  runner.close();
  await d.stop();
});

const KEYS = [
  'Annotations', 'BlkioWeight', 'BlkioWeightDevice', 'BlkioDeviceReadBps', 'BlkioDeviceWriteBps', 'BlkioDeviceReadIOps', 'BlkioDeviceWriteIOps', 'CgroupParent',
  'CpuPeriod', 'CpuQuota', 'CpuRealtimePeriod', 'CpuRealtimeRuntime', 'CpusetCpus', 'CpusetMems', 'Devices', 'DeviceCgroupRules', 'Isolation',
  'MemoryReservation', 'MemorySwap', 'MemorySwappiness', 'OomKillDisable', 'OomScoreAdj', 'StorageOpt', 'UsernsMode',
];

/** The resource part of the create body, Go's zero values dropped. */
function resources(rs: SeenRequest[]): Record<string, unknown> | undefined {
  const r = rs.find((x) => x.path === '/containers/create');
  if (!r) return undefined;
  const host = (JSON.parse(r.body.toString()) as { HostConfig: Record<string, unknown> }).HostConfig;
  const empty = (v: unknown): boolean => v === undefined || v === null || v === 0 || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);
  return Object.fromEntries(KEYS.filter((k) => !empty(host[k])).map((k) => [k, host[k]]));
}

const CASES: string[][] = [
  ['create', 'busybox'],
  ['create', '-m', '8m', '--memory-swap', '16m', '--memory-reservation', '4m', '--memory-swappiness', '10', '--oom-kill-disable', '--oom-score-adj', '-500', 'busybox'],
  ['create', '--memory-swap', '-1', '--cpu-period', '100000', '--cpu-quota', '50000', '--cpu-rt-period', '1000', '--cpu-rt-runtime', '500', '--cpuset-cpus', '0-1', '--cpuset-mems', '0', 'busybox'],
  ['create', '--blkio-weight', '300', '--blkio-weight-device', '/dev/sda:200', '--device-read-bps', '/dev/sda:1mb', '--device-write-bps', '/dev/sda:10kb', '--device-read-iops', '/dev/sda:100', '--device-write-iops', '/dev/sda:50', 'busybox'],
  ['create', '--device', '/dev/null', '--device', '/dev/zero:/dev/z', '--device', '/dev/fuse:/dev/fuse/:rw', '--device', '/dev/kvm:r', '--device-cgroup-rule', 'c 1:3 rwm', '--device-cgroup-rule', 'b *:* r', 'busybox'],
  ['create', '--cgroup-parent', 'mygroup', '--userns', 'host', '--isolation', 'default', '--storage-opt', 'size=1G', '--annotation', 'a=b', '--annotation', 'c', 'busybox'],
  ['run', '--memory-swappiness', '101', 'busybox'],
  ['run', '--memory-swap', 'lots', 'busybox'],
  ['run', '--cpu-period', 'x', 'busybox'],
  ['run', '--blkio-weight', '70000', 'busybox'],
  ['create', '--device-cgroup-rule', 'z 1:3 rwm', 'busybox'],
  ['create', '--device', 'relative', 'busybox'],
  ['create', '--device', '/dev/a:/dev/b:xyz', 'busybox'],
  ['create', '--device', '/a:/b:/c:/d', 'busybox'],
  ['create', '--device-read-bps', 'sda:1mb', 'busybox'],
  ['create', '--device-read-iops', '/dev/sda:fast', 'busybox'],
  ['create', '--storage-opt', 'novalue', 'busybox'],
];

for (const args of CASES) {
  test(`same as docker: ${args.join(' ')}`, { skip: !hasDockerCli() && 'no docker CLI to compare with' }, async () => {
    const want = await runner.docker(args);
    const got = await runner.berth(args);
    assert.equal(got.out, want.out, 'stdout');
    assert.equal(got.err, asBerth(want.err), 'stderr');
    assert.equal(got.code, want.code, 'exit code');
    assert.deepEqual(resources(got.requests), resources(want.requests), 'HostConfig resources');
  });
}

test('device specs as docker splits them', () => {
  assert.equal(validateLinuxPath('/dev/fuse:/dev/fuse/:rw'), '/dev/fuse:/dev/fuse/:rw');
  assert.equal(validateLinuxPath('/dev/x//y/'), '/dev/x/y');
  assert.deepEqual(parseLinuxDevice('/dev/kvm:r'), { PathOnHost: '/dev/kvm', PathInContainer: '/dev/kvm', CgroupPermissions: 'r' });
  assert.deepEqual(parseLinuxDevice('/dev/zero:/dev/z'), { PathOnHost: '/dev/zero', PathInContainer: '/dev/z', CgroupPermissions: 'rwm' });
  assert.throws(() => validateLinuxPath('/a:/b:xyz'), /bad mode specified: xyz/);
});
