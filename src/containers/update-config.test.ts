import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkUpdate, mergeUpdate, parseUintList } from './update-config.js';

const host = { cpus: 2, swapLimit: true, blkioWeight: true, cpusetCpus: '0-1', cpusetMems: '0' };
const ID = 'c'.repeat(64);

test("checkUpdate: dockerd's 400s (no container prefix)", () => {
  const bad: [object, string][] = [
    [{ Memory: 1024 }, 'Minimum memory limit allowed is 6MB'],
    [{ Memory: 64 << 20, MemorySwap: 32 << 20 }, 'Minimum memoryswap limit should be larger than memory limit, see usage'],
    [{ MemoryReservation: 1024 }, 'Minimum memory reservation allowed is 6MB'],
    [{ Memory: 16 << 20, MemoryReservation: 32 << 20 }, 'Minimum memory limit can not be less than memory reservation limit, see usage'],
    [{ NanoCpus: 5e8, CpuPeriod: 50000 }, 'Conflicting options: Nano CPUs and CPU Period cannot both be set'],
    [{ NanoCpus: 3e9 }, 'Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available'],
    [{ CpuPeriod: 10 }, 'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)'],
    [{ CpuQuota: 10 }, 'CPU cfs quota can not be less than 1ms (i.e. 1000)'],
    [{ CpusetCpus: '7' }, 'Requested CPUs are not available - requested 7, available: 0-1'],
    [{ CpusetCpus: 'a' }, 'Invalid value a for cpuset cpus: invalid format: a'],
    [{ CpusetMems: '1' }, 'Requested memory nodes are not available - requested 1, available: 0'],
    [{ BlkioWeight: 5 }, 'Range of blkio weight is from 10 to 1000'],
    [{ RestartPolicy: { Name: 'bogus' } }, "invalid restart policy 'bogus'"],
    [{ RestartPolicy: { Name: 'always', MaximumRetryCount: 3 } }, "maximum retry count cannot be used with restart policy 'always'"],
    [{ RestartPolicy: { Name: 'on-failure', MaximumRetryCount: -1 } }, 'maximum retry count cannot be negative'],
  ];
  for (const [req, message] of bad) assert.throws(() => checkUpdate(req, host), { message }, JSON.stringify(req));
  // a swap limit alone is fine in an update (not at create)
  assert.deepEqual(checkUpdate({ MemorySwap: 64 << 20 }, host).warnings, []);
});

test('checkUpdate: what the host cannot do is dropped with a warning', () => {
  const r = checkUpdate({ BlkioWeight: 300, Memory: 64 << 20 }, { ...host, blkioWeight: false, swapLimit: false });
  assert.deepEqual(r.warnings, [
    'Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.',
    'Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.',
  ]);
  assert.equal(r.req.BlkioWeight, 0);
  assert.equal(r.req.MemorySwap, -1);
});

test('mergeUpdate: non-zero fields replace, zero keeps; PidsLimit <= 0 is unlimited', () => {
  const cur = { Memory: 64 << 20, MemorySwap: 128 << 20, CpuShares: 100, CpusetCpus: '0', PidsLimit: 50, RestartPolicy: { Name: 'no' as const, MaximumRetryCount: 0 } };
  const out = mergeUpdate(ID, cur, { Memory: 100 << 20, CpuShares: 0, CpusetCpus: '', NanoCpus: 5e8, PidsLimit: 0, RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } });
  assert.deepEqual(out, { Memory: 100 << 20, MemorySwap: 128 << 20, CpuShares: 100, CpusetCpus: '0', NanoCpus: 5e8, PidsLimit: 0, RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } });
  assert.equal(mergeUpdate(ID, cur, { RestartPolicy: { Name: '' } }).RestartPolicy?.Name, 'no');
  assert.equal(cur.Memory, 64 << 20, 'the current config is not modified');
});

test("mergeUpdate: dockerd's 409s with the container prefix", () => {
  const bad: [object, object, string][] = [
    [{}, { Memory: 64 << 20 }, 'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time'],
    [{ Memory: 64 << 20, MemorySwap: 128 << 20 }, { Memory: 200 << 20 }, 'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time'],
    [{ CpuPeriod: 50000 }, { NanoCpus: 5e8 }, 'Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set'],
    [{ CpuQuota: 50000 }, { NanoCpus: 5e8 }, 'Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set'],
    [{ NanoCpus: 5e8 }, { CpuPeriod: 50000 }, 'Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set'],
    [{ NanoCpus: 5e8 }, { CpuQuota: 20000 }, 'Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set'],
    [{ AutoRemove: true }, { RestartPolicy: { Name: 'always' } }, 'Restart policy cannot be updated because AutoRemove is enabled for the container'],
  ];
  for (const [cur, req, msg] of bad) {
    assert.throws(() => mergeUpdate(ID, cur, req), (e: Error & { kind?: string }) => e.message === `Cannot update container ${ID}: ${msg}` && e.kind === 'conflict', msg);
  }
  assert.equal(mergeUpdate(ID, { AutoRemove: true }, { RestartPolicy: { Name: 'no' } }).RestartPolicy?.Name, 'no');
  assert.equal(mergeUpdate(ID, {}, { Memory: 64 << 20, MemorySwap: 128 << 20 }).Memory, 64 << 20);
});

test('parseUintList (cpusets)', () => {
  assert.deepEqual([...parseUintList('0-2,5')!], [0, 1, 2, 5]);
  assert.deepEqual([...parseUintList('')!], []);
  for (const bad of ['a', '2-1', '1,', '-1']) assert.equal(parseUintList(bad), undefined, bad);
});
