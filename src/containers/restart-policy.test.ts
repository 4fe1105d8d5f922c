import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../shared/errors.js';
import { LocalContainerService } from './local-container-service.js';
import { MAX_BACKOFF_MS, nextDelay, restartsAtBoot, shouldRestart } from './restart-policy.js';
import { fakeService } from './test-fakes.js';

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await wait(5);
  }
}

test('shouldRestart and the backoff: doubling from the base, capped, reset after 10 s of running', () => {
  const f = { exitCode: 1, restartCount: 0, manuallyStopped: false };
  assert.equal(shouldRestart({ ...f, policy: { Name: 'no' } }), false);
  assert.equal(shouldRestart({ ...f, policy: { Name: 'always' }, exitCode: 0 }), true);
  assert.equal(shouldRestart({ ...f, policy: { Name: 'always' }, manuallyStopped: true }), false);
  assert.equal(shouldRestart({ ...f, policy: { Name: 'on-failure', MaximumRetryCount: 2 }, restartCount: 2 }), false);
  assert.equal(shouldRestart({ ...f, policy: { Name: 'on-failure' }, exitCode: 0 }), false);
  assert.equal(nextDelay(undefined, 0, 100), 100);
  assert.equal(nextDelay(100, 50, 100), 200);
  assert.equal(nextDelay(400, 9_999, 100), 800);
  assert.equal(nextDelay(800, 10_000, 100), 100);
  assert.equal(nextDelay(40_000, 0, 100), MAX_BACKOFF_MS);
});

test("restartsAtBoot follows dockerd's restore: never-started containers stay, on-failure ignores a manual stop", () => {
  const s = (o: object) => ({ status: 'exited', exitCode: 0, restartCount: 0, manuallyStopped: false, ...o });
  assert.equal(restartsAtBoot({ Name: 'always' }, s({ manuallyStopped: true })), true);
  assert.equal(restartsAtBoot({ Name: 'always' }, s({ status: 'created' })), false);
  assert.equal(restartsAtBoot({ Name: 'unless-stopped' }, s({})), true);
  assert.equal(restartsAtBoot({ Name: 'unless-stopped' }, s({ manuallyStopped: true })), false);
  assert.equal(restartsAtBoot({ Name: 'on-failure' }, s({ exitCode: 137, manuallyStopped: true })), true);
  assert.equal(restartsAtBoot({ Name: 'on-failure', MaximumRetryCount: 1 }, s({ exitCode: 3, restartCount: 1 })), false);
  assert.equal(restartsAtBoot({ Name: 'on-failure' }, s({ exitCode: 0 })), false);
  assert.equal(restartsAtBoot({ Name: 'no' }, s({ exitCode: 1 })), false);
});

test('while waiting for its restart a container is Running+Restarting and RestartCount already counts it; a manual start resets the count', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  f.runtime.behavior = () => ({ exitOnStart: 3 });
  const { Id } = await f.svc.create({ Image: 'busybox', HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } } }, {});
  f.svc.ctx.deps.restartBaseDelayMs = 40;
  await f.svc.start(Id);
  await until(async () => (await f.svc.inspect(Id)).State.Status === 'restarting');
  const r = await f.svc.inspect(Id);
  assert.deepEqual([r.State.Running, r.State.Restarting, r.RestartCount, r.State.ExitCode], [true, true, 1, 3]);
  await until(async () => (await f.svc.inspect(Id)).State.Status === 'exited' && (await f.svc.inspect(Id)).RestartCount === 2, 5000);
  f.runtime.behavior = () => ({});
  await f.svc.start(Id);
  assert.equal((await f.svc.inspect(Id)).RestartCount, 0);
  f.runtime.exit(Id, 3);
  await until(async () => (await f.svc.inspect(Id)).RestartCount === 1);
  await f.svc.stop(Id, { timeout: 0 });
});

test('a restart that cannot start leaves the container exited with its last exit code (no retries), as dockerd', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  const { Id } = await f.svc.create({ Image: 'busybox', HostConfig: { RestartPolicy: { Name: 'always' } } }, {});
  await f.svc.start(Id);
  f.runtime.behavior = () => ({ launchError: Object.assign(new EngineError('internal', 'exec: "sh": executable file not found in $PATH'), { exitCode: 127 }) });
  f.runtime.exit(Id, 5);
  await until(() => f.svc.ctx.records.get(Id)!.state.status === 'exited' && f.svc.ctx.records.get(Id)!.state.exitCode === 5 && !f.svc.ctx.restartTimers.has(Id));
  await wait(50);
  const s = await f.svc.inspect(Id);
  assert.deepEqual([s.State.Status, s.State.ExitCode, s.RestartCount], ['exited', 5, 1]);
  assert.match(s.State.Error, /executable file not found/);
  assert.equal(f.runtime.calls.filter((c) => c.startsWith('launch')).length, 2, 'the first start and one failed restart');
});

test('boot: --rm containers that are not running are removed; restart policies decide who starts again', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  const mk = async (name: string, HostConfig: object, start: boolean): Promise<string> => {
    const { Id } = await f.svc.create({ Image: 'busybox', HostConfig }, { name });
    if (start) await f.svc.start(Id);
    return Id;
  };
  await mk('rm-created', { AutoRemove: true }, false);
  const rmRunning = await mk('rm-running', { AutoRemove: true }, true);
  await mk('always-created', { RestartPolicy: { Name: 'always' } }, false);
  const unless = await mk('unless-stopped', { RestartPolicy: { Name: 'unless-stopped' } }, true);
  await f.svc.stop(unless, {});
  const onfail = await mk('onfail-stopped', { RestartPolicy: { Name: 'on-failure' } }, true);
  await f.svc.stop(onfail, {});
  const always = await mk('always-stopped', { RestartPolicy: { Name: 'always' } }, true);
  await f.svc.stop(always, {});
  f.svc.close();
  // rm-running's monitor keeps it alive across the restart
  const svc2 = new LocalContainerService({ ...f.svc.ctx.deps });
  t.after(() => svc2.close());
  await svc2.restore();
  const names = (await svc2.list({ all: true })).map((c) => `${c.Names[0]} ${c.State}`).sort();
  assert.deepEqual(names, ['/always-created created', '/always-stopped running', '/onfail-stopped running', '/rm-running running', '/unless-stopped exited']);
  f.runtime.exit(rmRunning, 0);
  await until(async () => (await svc2.list({ all: true })).length === 4);
});
