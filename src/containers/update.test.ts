import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { OciLinuxResources } from '../runtime/spec/oci-types.js';
import type { RuntimePort } from './ports.js';
import { fakeService } from './test-fakes.js';
import { liveResources } from './update.js';

function withUpdate(fail?: string): ReturnType<typeof fakeService> & { updates: [string, OciLinuxResources][] } {
  const f = fakeService();
  const updates: [string, OciLinuxResources][] = [];
  (f.runtime as RuntimePort).update = async (id, r) => {
    if (fail) throw new Error(`failed to update container ${id}: ${fail}`);
    updates.push([id, r]);
  };
  return { ...f, updates };
}

test('update of a running container: new limits through the runtime, kept in HostConfig (and on disk), event update', async (t) => {
  const f = withUpdate();
  t.after(f.cleanup);
  const { Id } = await f.svc.create({ Image: 'busybox', HostConfig: { Memory: 64 << 20 } }, { name: 'web' });
  assert.equal((await f.svc.inspect(Id)).HostConfig.MemorySwap, 128 << 20, 'the default swap limit is recorded');
  await f.svc.start(Id);
  const r = await f.svc.update('web', { Memory: 100 << 20, CpuShares: 512, NanoCpus: 5e8, PidsLimit: 50, RestartPolicy: { Name: 'always' } });
  assert.deepEqual(r, { Warnings: null });
  const [id, res] = f.updates[0]!;
  assert.equal(id, Id);
  assert.deepEqual(res.memory, { limit: 100 << 20, swap: 128 << 20 });
  assert.deepEqual(res.cpu, { shares: 512, period: 100000, quota: 50000 });
  assert.deepEqual(res.pids, { limit: 50 });
  const hc = (await f.svc.inspect(Id)).HostConfig;
  assert.deepEqual([hc.Memory, hc.CpuShares, hc.NanoCpus, hc.PidsLimit, hc.RestartPolicy?.Name], [100 << 20, 512, 5e8, 50, 'always']);
  const disk = JSON.parse(readFileSync(f.svc.ctx.paths(Id).record, 'utf8'));
  assert.equal(disk.hostConfig.Memory, 100 << 20);
  assert.deepEqual(f.events.filter((e) => e.Action === 'update').map((e) => e.Actor.Attributes.name), ['web']);
});

test('update of a stopped container only records it; no runtime call', async (t) => {
  const f = withUpdate();
  t.after(f.cleanup);
  const { Id } = await f.svc.create({ Image: 'busybox' }, {});
  await f.svc.update(Id, { CpusetCpus: '0', RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } });
  assert.equal(f.updates.length, 0);
  assert.deepEqual((await f.svc.inspect(Id)).HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 2 });
});

test('a runtime refusal puts the old HostConfig back: Cannot update container <id>: ...', async (t) => {
  const f = withUpdate('writing file `memory.limit_in_bytes`: Device or resource busy');
  t.after(f.cleanup);
  const { Id } = await f.svc.create({ Image: 'busybox' }, {});
  await f.svc.start(Id);
  await assert.rejects(f.svc.update(Id, { Memory: 10 << 20, MemorySwap: 20 << 20 }), (e: Error) => e.message.startsWith(`Cannot update container ${Id}: unable to set memory limit to 10485760 (current usage: `));
  const hc = (await f.svc.inspect(Id)).HostConfig;
  assert.deepEqual([hc.Memory ?? 0, hc.MemorySwap ?? 0], [0, 0]);
  assert.equal(f.events.filter((e) => e.Action === 'update').length, 0);
});

test('update errors: no such container, AutoRemove and restart policy, bad values', async (t) => {
  const f = withUpdate();
  t.after(f.cleanup);
  await assert.rejects(f.svc.update('nope', { Memory: 1 }), { message: 'No such container: nope' });
  const { Id } = await f.svc.create({ Image: 'busybox', HostConfig: { AutoRemove: true } }, {});
  await assert.rejects(f.svc.update(Id, { RestartPolicy: { Name: 'always' } }), { message: `Cannot update container ${Id}: Restart policy cannot be updated because AutoRemove is enabled for the container` });
  await assert.rejects(f.svc.update(Id, { Memory: 1024 }), { message: 'Minimum memory limit allowed is 6MB' });
});

test('liveResources: the spec mutator on the new HostConfig (no devices, no OOM or swappiness settings)', () => {
  const r = liveResources({ Memory: 64 << 20, MemorySwap: -1, CpuShares: 10, CpusetCpus: '0-1', BlkioWeight: 300, OomKillDisable: true, PidsLimit: 0 }, { blkioWeight: false });
  assert.deepEqual(r, { memory: { limit: 64 << 20, swap: -1 }, cpu: { shares: 10, cpus: '0-1' } });
  assert.deepEqual(liveResources({ MemorySwap: 256 << 20, CpuPeriod: 50000, CpuQuota: 25000 }, {}), { cpu: { period: 50000, quota: 25000 } });
});
