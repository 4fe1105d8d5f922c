import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HealthConfig } from '../../api/types.js';
import type { ExecRequest, RuntimeExec, RuntimePort } from '../ports.js';
import { fakeService } from '../test-fakes.js';
import { HealthMonitor } from './health-monitor.js';
import type { ProbeRunner } from './probe-runner.js';

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

type Behavior = { code: number; out?: string; hang?: boolean; gate?: Promise<void> };

/** A fake service whose runtime runs execs as `behave(args)` says (a hanging one ends when closed). */
function withExec(behave: (args: string[]) => Behavior): ReturnType<typeof fakeService> & { execs: string[][] } {
  const f = fakeService();
  const execs: string[][] = [];
  (f.runtime as RuntimePort).exec = async (req: ExecRequest): Promise<RuntimeExec> => {
    const args = req.process.args as string[];
    execs.push(args);
    const b = behave(args);
    let end!: (code: number) => void;
    const exit = new Promise<number>((r) => (end = r));
    if (!b.hang) void (b.gate ?? Promise.resolve()).then(() => setTimeout(() => end(b.code), 1));
    async function* output(): AsyncGenerator<{ stream: 'stdout' | 'stderr'; data: Buffer }> {
      if (b.out) yield { stream: 'stdout', data: Buffer.from(b.out) };
      await exit;
    }
    return { pid: 0, io: { output: output(), close: () => end(137) }, exit, resize: () => {}, cleanup: () => {} };
  };
  return { ...f, execs };
}

async function runWithHealth(f: ReturnType<typeof fakeService>, hc: HealthConfig, name = 'web'): Promise<string> {
  const { Id } = await f.svc.create({ Image: 'busybox', Healthcheck: hc }, { name });
  await f.svc.start(Id);
  return Id;
}

const actions = (f: ReturnType<typeof fakeService>): string[] => f.events.map((e) => e.Action).filter((a) => a.startsWith('health_status'));

test('a passing probe makes the container healthy: events, inspect, ps status, exec events, saved record', async (t) => {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const f = withExec(() => ({ code: 0, out: 'fine\n', gate }));
  t.after(f.cleanup);
  const id = await runWithHealth(f, { Test: ['CMD-SHELL', 'check'], Interval: 5e6 });
  assert.equal((await f.svc.inspect(id)).State.Health?.Status, 'starting');
  assert.equal((await f.svc.list({}))[0]!.Status, 'Up Less than a second (health: starting)');
  open();
  await until(() => actions(f).includes('health_status: healthy'));
  const h = (await f.svc.inspect(id)).State.Health!;
  assert.equal(h.Status, 'healthy');
  assert.equal(h.FailingStreak, 0);
  assert.deepEqual({ ...h.Log[0], Start: '', End: '' }, { Start: '', End: '', ExitCode: 0, Output: 'fine\n' });
  assert.deepEqual(f.execs[0], ['/bin/sh', '-c', 'check']);
  assert.ok(f.events.some((e) => e.Action === 'exec_create: /bin/sh -c check'));
  assert.ok(f.events.some((e) => e.Action === 'exec_die' && e.Actor.Attributes.exitCode === '0'));
  assert.equal((await f.svc.list({}))[0]!.Status, 'Up Less than a second (healthy)');
  assert.deepEqual((await f.svc.list({ filters: new Map([['health', ['healthy']]]) })).map((c) => c.Id), [id]);
  await until(() => (f.svc.ctx.records.get(id)!.state.health?.Log.length ?? 0) >= 6 || f.execs.length >= 7);
  assert.ok((await f.svc.inspect(id)).State.Health!.Log.length <= 5);
  assert.equal(actions(f).length, 1, 'health_status is published on changes only');
  assert.ok(f.svc.ctx.paths(id).record);
});

test('failing probes: unhealthy after Retries, FailingStreak counts on; exit stops probing and leaves unhealthy', async (t) => {
  let code = 1;
  const f = withExec(() => ({ code }));
  t.after(f.cleanup);
  const id = await runWithHealth(f, { Test: ['CMD', 'false'], Interval: 5e6, Retries: 2 });
  await until(() => actions(f).includes('health_status: unhealthy'));
  const h = (await f.svc.inspect(id)).State.Health!;
  assert.equal(h.Status, 'unhealthy');
  assert.ok(h.FailingStreak >= 2);
  code = 0;
  await until(() => actions(f).includes('health_status: healthy'));
  f.runtime.exit(id, 0);
  await until(() => f.svc.ctx.records.get(id)!.state.status === 'exited');
  const probes = f.execs.length;
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(f.execs.length, probes, 'no probe after the exit');
  assert.equal((await f.svc.inspect(id)).State.Health?.Status, 'unhealthy');
  assert.deepEqual((await f.svc.list({ all: true, filters: new Map([['health', ['unhealthy']]]) })).map((c) => c.Id), [id]);
});

test('a probe that outlives its timeout is recorded with -1 and "Health check exceeded timeout (…)"', async (t) => {
  const f = withExec(() => ({ code: 0, hang: true }));
  t.after(f.cleanup);
  const id = await runWithHealth(f, { Test: ['CMD', 'sleep', '100'], Interval: 5e6, Timeout: 2e7, Retries: 1 });
  await until(() => actions(f).includes('health_status: unhealthy'));
  const log = (await f.svc.inspect(id)).State.Health!.Log[0]!;
  assert.equal(log.ExitCode, -1);
  assert.equal(log.Output, 'Health check exceeded timeout (20ms)');
  assert.ok(Date.parse(log.End) >= Date.parse(log.Start));
});

test('pause suspends probes (status unhealthy, as dockerd); unpause resumes them', async (t) => {
  const f = withExec(() => ({ code: 0 }));
  t.after(f.cleanup);
  const id = await runWithHealth(f, { Test: ['CMD', 'true'], Interval: 5e6 });
  await until(() => actions(f).includes('health_status: healthy'));
  await f.svc.pause(id);
  assert.equal((await f.svc.inspect(id)).State.Health?.Status, 'unhealthy');
  const probes = f.execs.length;
  await new Promise((r) => setTimeout(r, 40));
  assert.ok(f.execs.length <= probes + 1, 'probes stop while paused');
  await f.svc.unpause(id);
  await until(() => actions(f).filter((a) => a === 'health_status: healthy').length === 2);
});

test('no healthcheck, NONE: no State.Health, filter health=none', async (t) => {
  const f = withExec(() => ({ code: 0 }));
  t.after(f.cleanup);
  const a = await runWithHealth(f, { Test: ['NONE'] }, 'none1');
  const { Id: b } = await f.svc.create({ Image: 'busybox' }, { name: 'plain' });
  await f.svc.start(b);
  assert.equal((await f.svc.inspect(a)).State.Health, undefined);
  assert.equal((await f.svc.list({ filters: new Map([['health', ['none']]]) })).length, 2);
  await assert.rejects(f.svc.list({ filters: new Map([['health', ['bogus']]]) }), { message: 'Unrecognised filter value for health: bogus' });
  assert.equal(f.execs.length, 0);
});

test('HealthMonitor: a result that arrives after the run ended is discarded; close() stops every loop', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  const { Id } = await f.svc.create({ Image: 'busybox' }, {});
  await f.svc.start(Id);
  const rec = f.svc.ctx.records.get(Id)!;
  rec.config.Healthcheck = { Test: ['CMD', 'x'], Interval: 5e6 };
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let calls = 0;
  const runner: ProbeRunner = async () => {
    calls++;
    await gate;
    const now = new Date().toISOString();
    return { Start: now, End: now, ExitCode: 0, Output: '' };
  };
  const m = new HealthMonitor(f.svc.ctx, runner);
  t.after(() => m.close());
  m.watch(rec, f.svc.ctx.runs.get(Id)!);
  assert.deepEqual(m.watched(), [Id]);
  await until(() => calls === 1);
  f.runtime.exit(Id, 0);
  await until(() => rec.state.status === 'exited');
  release();
  await until(() => m.watched().length === 0);
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(rec.state.health?.Status, 'unhealthy');
  assert.equal(rec.state.health?.Log.length, 0, 'the late result is discarded');
});
