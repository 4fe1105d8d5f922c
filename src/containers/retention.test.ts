import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LocalContainerService } from './local-container-service.js';
import { fakeService } from './test-fakes.js';

/**
 * What the service keeps per container, by name: every map keyed by container id (records,
 * runs, timers, in-flight cleanups), the name index, waiters, locks, health loops, exec
 * records. Read from the private fields (test-only introspection; nothing is added to the
 * service for it). A new per-container map belongs here.
 */
function held(svc: LocalContainerService): Record<string, number> {
  const ctx = svc.ctx;
  const priv = svc as unknown as { execs: { execs: Map<string, unknown>; baseProcess: Map<string, unknown> }; health: { loops: Map<string, unknown> } };
  const inner = <T>(o: unknown, k: string): T => (o as Record<string, T>)[k]!;
  return {
    records: ctx.records.size,
    names: inner<Map<string, string>>(ctx.names, 'byName').size,
    ids: inner<Set<string>>(ctx.names, 'ids').size,
    runs: ctx.runs.size,
    pendingAttach: ctx.pendingAttach.size,
    restartTimers: ctx.restartTimers.size,
    backoff: ctx.backoff.size,
    runtimeCleanups: ctx.runtimeCleanups.size,
    unmounts: ctx.unmounts.size,
    networkReleases: ctx.networkReleases.size,
    waiters: inner<Map<string, unknown>>(ctx.waiters, 'byId').size,
    locks: inner<Map<string, unknown>>(ctx.locks, 'tails').size,
    healthLoops: priv.health.loops.size,
    execs: priv.execs.execs.size,
    execProcesses: priv.execs.baseProcess.size,
  };
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 10));
};

test('nothing is held per removed container: every per-container map is back to its size', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  // one container that stays, so "back to its size" is not just "empty"
  const { Id: keep } = await f.svc.create({ Image: 'busybox' }, { name: 'keep' });
  await f.svc.start(keep);
  await settle();
  const before = held(f.svc);
  assert.equal(before.records, 1);
  assert.equal(before.runs, 1);

  for (let round = 0; round < 3; round++) {
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const { Id } = await f.svc.create(
        {
          Image: 'busybox',
          OpenStdin: i % 2 === 0,
          Healthcheck: i % 3 === 0 ? { Test: ['CMD', 'true'], Interval: 3_600_000_000_000 } : undefined,
          HostConfig: { RestartPolicy: i % 4 === 1 ? { Name: 'on-failure', MaximumRetryCount: 1 } : { Name: 'no' } },
        },
        { name: `c${round}-${i}` },
      );
      ids.push(Id);
    }
    // a waiter, an attach before start, a follow of the logs, starts, exits, a restart
    const waits = ids.map((id) => f.svc.wait(id, 'removed'));
    const attach = await f.svc.attach(ids[0]!, { stdin: true, stdout: true, stderr: true, stream: true });
    for (const id of ids) await f.svc.start(id);
    const follow = await f.svc.logs(ids[2]!, { stdout: true, follow: true });
    const drained = (async () => {
      for await (const _ of follow.batches) void _;
    })();
    for (const id of ids.slice(5)) await f.svc.execCreate(id, { Cmd: ['true'] });
    const during = held(f.svc);
    for (const k of ['records', 'names', 'runs', 'waiters', 'healthLoops', 'execs'] as const) assert.ok(during[k]! > before[k]!, `${k} grows while containers exist`);
    f.runtime.exit(ids[1]!, 1); // on-failure: restarted once
    f.runtime.exit(ids[3]!, 0);
    await settle();
    await f.svc.rename(ids[4]!, `renamed-${round}`);
    for (const id of ids) await f.svc.remove(id, { force: true });
    attach.stdin?.end();
    for (const w of waits) await w;
    await drained;
    await settle();
    assert.deepEqual(held(f.svc), before, `after round ${round}`);
  }
  assert.equal((await f.svc.inspect('keep')).State.Status, 'running');
});
