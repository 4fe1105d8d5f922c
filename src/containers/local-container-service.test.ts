import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { EngineError } from '../shared/errors.js';
import { LocalContainerService } from './local-container-service.js';
import { fakeService } from './test-fakes.js';

const collect = async (it: AsyncIterable<{ data: Buffer }>): Promise<string> => {
  let s = '';
  for await (const c of it) s += c.data.toString();
  return s;
};

test('create persists a record, host files and a snapshot; inspect/list show it', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  const { Id } = await f.svc.create({ Image: 'busybox', Cmd: ['echo', 'hello world'] }, { name: 'web' });
  const p = f.svc.ctx.paths(Id);
  const rec = JSON.parse(readFileSync(p.record, 'utf8'));
  assert.equal(rec.schemaVersion, 1);
  assert.equal(rec.name, '/web');
  assert.equal(readFileSync(p.hostname, 'utf8'), `${Id.slice(0, 12)}\n`);
  assert.match(readFileSync(p.hosts, 'utf8'), /localhost/);
  assert.ok(f.snapshots.active.has(Id));
  const ins = await f.svc.inspect('web');
  assert.equal(ins.State.Status, 'created');
  assert.equal(ins.State.StartedAt, '0001-01-01T00:00:00Z');
  assert.equal(ins.Path, 'echo');
  assert.deepEqual(ins.Args, ['hello world']);
  assert.equal(ins.GraphDriver.Name, 'overlay2');
  const list = await f.svc.list({ all: true });
  assert.equal(list.length, 1);
  assert.equal(list[0]!.Command, "echo 'hello world'");
  assert.equal(list[0]!.Status, 'Created');
  assert.deepEqual(await f.svc.list({}), []);
});

test('create errors: missing image, name conflict (nothing left behind)', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  await assert.rejects(f.svc.create({ Image: 'nope' }, {}), { message: 'No such image: nope:latest' });
  const { Id } = await f.svc.create({ Image: 'busybox' }, { name: 'web' });
  await assert.rejects(f.svc.create({ Image: 'busybox' }, { name: 'web' }), {
    message: `Conflict. The container name "/web" is already in use by container "${Id}". You have to remove (or rename) that container to be able to reuse that name.`,
  });
  assert.equal(f.snapshots.active.size, 1);
  await assert.rejects(f.svc.create({ Image: 'busybox', HostConfig: { Memory: 1024 } }, { name: 'small' }), { message: 'Minimum memory limit allowed is 6MB' });
  await f.svc.create({ Image: 'busybox' }, { name: 'small' });
});

test('start -> running; exit -> exited with code, rootfs unmounted, waiters woken', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  const { Id } = await f.svc.create({ Image: 'busybox' }, {});
  const waiting = f.svc.wait(Id, 'next-exit');
  await f.svc.start(Id);
  assert.equal((await f.svc.inspect(Id)).State.Status, 'running');
  assert.ok(f.mounts.mounted.has(f.svc.ctx.paths(Id).rootfs));
  await assert.rejects(f.svc.start(Id), (e) => EngineError.is(e, 'not-modified'));
  f.runtime.exit(Id, 3);
  assert.deepEqual(await waiting, { StatusCode: 3 });
  const ins = await f.svc.inspect(Id);
  assert.equal(ins.State.Status, 'exited');
  assert.equal(ins.State.ExitCode, 3);
  assert.notEqual(ins.State.FinishedAt, '0001-01-01T00:00:00Z');
  assert.equal(f.mounts.mounted.size, 0);
  assert.ok(f.runtime.calls.includes(`delete ${Id}`));
  assert.deepEqual(await f.svc.wait(Id, 'not-running'), { StatusCode: 3 });
  const die = f.events.find((e) => e.Action === 'die');
  assert.equal(die?.Actor.ID, Id);
  assert.equal(die?.Actor.Attributes.exitCode, '3');
  assert.equal(die?.Actor.Attributes.image, 'busybox');
});

test('wait not-running on a created container returns at once', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  const { Id } = await f.svc.create({ Image: 'busybox' }, {});
  assert.deepEqual(await f.svc.wait(Id, 'not-running'), { StatusCode: 0 });
});

test('stop sends SIGTERM, escalates to SIGKILL after the timeout; stop again is not-modified', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  f.runtime.behavior = () => ({ ignoreTerm: true });
  const { Id } = await f.svc.create({ Image: 'busybox' }, {});
  await f.svc.start(Id);
  await f.svc.stop(Id, { timeout: 0 });
  assert.ok(f.runtime.calls.includes(`kill ${Id} SIGTERM`));
  assert.ok(f.runtime.calls.includes(`kill ${Id} SIGKILL`));
  const ins = await f.svc.inspect(Id);
  assert.equal(ins.State.Status, 'exited');
  assert.equal(ins.State.ExitCode, 137);
  await assert.rejects(f.svc.stop(Id, {}), (e) => EngineError.is(e, 'not-modified'));
  await assert.rejects(f.svc.kill(Id), { message: `Cannot kill container: ${Id}: Container ${Id} is not running` });
});

test('stop uses StopSignal from config', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  const { Id } = await f.svc.create({ Image: 'busybox', StopSignal: 'SIGINT' }, {});
  await f.svc.start(Id);
  await f.svc.stop(Id, {});
  assert.ok(f.runtime.calls.includes(`kill ${Id} SIGINT`));
  assert.equal((await f.svc.inspect(Id)).State.ExitCode, 130);
});

test('rm: running refused without force, force kills; record, dirs, snapshot gone; removed waiters fire', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  const { Id } = await f.svc.create({ Image: 'busybox' }, { name: 'web' });
  await f.svc.start(Id);
  await assert.rejects(f.svc.remove('web', {}), {
    message: 'cannot remove container "/web": container is running: stop the container before removing or force remove',
  });
  const removed = f.svc.wait(Id, 'removed');
  await f.svc.remove('web', { force: true });
  assert.deepEqual(await removed, { StatusCode: 137 });
  assert.equal(existsSync(f.svc.ctx.paths(Id).dir), false);
  assert.equal(f.snapshots.active.size, 0);
  await assert.rejects(f.svc.inspect('web'), { message: 'No such container: web' });
  await f.svc.create({ Image: 'busybox' }, { name: 'web' });
});

test('rename with Docker errors', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  const { Id } = await f.svc.create({ Image: 'busybox' }, { name: 'aa' });
  const b = await f.svc.create({ Image: 'busybox' }, { name: 'bb' });
  await assert.rejects(f.svc.rename('aa', 'aa'), { message: 'Renaming a container with the same name as its current name' });
  await assert.rejects(f.svc.rename('aa', 'bb'), { message: /^Error when allocating new name: Conflict. The container name "\/bb" is already in use/ });
  await f.svc.rename('aa', 'cc');
  assert.equal((await f.svc.inspect(Id)).Name, '/cc');
  await assert.rejects(f.svc.inspect('aa'), { message: 'No such container: aa' });
  assert.equal((await f.svc.inspect('bb')).Id, b.Id);
});

test('start failure: command not found leaves created with ExitCode 127 and Error', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  const msg = 'failed to create task for container: OCI runtime create failed: crun create failed: unable to start container process: exec: "nope": executable file not found in $PATH: unknown';
  f.runtime.behavior = () => ({ launchError: Object.assign(new EngineError('invalid-argument', msg), { exitCode: 127 }) });
  const { Id } = await f.svc.create({ Image: 'busybox', Cmd: ['nope'] }, {});
  const w = f.svc.wait(Id, 'next-exit');
  await assert.rejects(f.svc.start(Id), { message: msg });
  assert.deepEqual(await w, { StatusCode: 127 });
  const ins = await f.svc.inspect(Id);
  assert.equal(ins.State.Status, 'created');
  assert.equal(ins.State.ExitCode, 127);
  assert.equal(ins.State.Error, msg);
  assert.equal(f.mounts.mounted.size, 0);
});

test('start failure with AutoRemove removes the container', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  f.runtime.behavior = () => ({ launchError: Object.assign(new EngineError('invalid-argument', 'exec failed'), { exitCode: 127 }) });
  const { Id } = await f.svc.create({ Image: 'busybox', HostConfig: { AutoRemove: true } }, {});
  const removed = f.svc.wait(Id, 'removed');
  await assert.rejects(f.svc.start(Id), { message: 'exec failed' });
  assert.deepEqual(await removed, { StatusCode: 127 });
  assert.equal(f.svc.ctx.records.size, 0);
  assert.equal(f.mounts.mounted.size, 0);
  assert.equal(f.snapshots.active.size, 0);
});

test('AutoRemove: container removed after exit, removed waiter gets exit code', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  f.runtime.behavior = () => ({ exitOnStart: 4 });
  const { Id } = await f.svc.create({ Image: 'busybox', HostConfig: { AutoRemove: true } }, {});
  const removed = f.svc.wait(Id, 'removed');
  await f.svc.start(Id);
  assert.deepEqual(await removed, { StatusCode: 4 });
  assert.equal(f.svc.ctx.records.size, 0);
  assert.deepEqual(f.events.map((e) => e.Action), ['create', 'start', 'die', 'destroy']);
  assert.equal(f.snapshots.active.size, 0);
});

test('restart policy on-failure:2 restarts twice then stays exited', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  f.runtime.behavior = () => ({ exitOnStart: 1 });
  const { Id } = await f.svc.create({ Image: 'busybox', HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } } }, {});
  await f.svc.start(Id);
  for (let i = 0; i < 200 && f.runtime.calls.filter((c) => c.startsWith('start')).length < 3; i++) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 100));
  const ins = await f.svc.inspect(Id);
  assert.equal(f.runtime.calls.filter((c) => c.startsWith('start')).length, 3);
  assert.equal(ins.RestartCount, 2);
  assert.equal(ins.State.Status, 'exited');
});

test('restart policy always: stop prevents restart', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  const { Id } = await f.svc.create({ Image: 'busybox', HostConfig: { RestartPolicy: { Name: 'always' } } }, {});
  await f.svc.start(Id);
  f.runtime.exit(Id, 0);
  for (let i = 0; i < 100 && (await f.svc.inspect(Id)).RestartCount < 1; i++) await new Promise((r) => setTimeout(r, 10));
  for (let i = 0; i < 100 && (await f.svc.inspect(Id)).State.Status !== 'running'; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal((await f.svc.inspect(Id)).State.Status, 'running');
  await f.svc.stop(Id, {});
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await f.svc.inspect(Id)).State.Status, 'exited');
});

test('attach before start gets all output; stdin is delivered', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  f.runtime.behavior = () => ({ output: [{ stream: 'stdout', data: Buffer.from('hello\n') }, { stream: 'stderr', data: Buffer.from('err\n') }], echoStdin: true });
  const { Id } = await f.svc.create({ Image: 'busybox', OpenStdin: true, StdinOnce: true }, {});
  const s = await f.svc.attach(Id, { stdin: true, stdout: true, stderr: false, stream: true });
  const out = collect(s.output);
  await f.svc.start(Id);
  s.stdin!.end('typed\n');
  assert.equal(await out, 'hello\ntyped\n');
  assert.equal((await f.svc.wait(Id, 'not-running')).StatusCode, 0);
});

test('logs replay and follow ends when the container exits', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  f.runtime.behavior = () => ({ output: [{ stream: 'stdout', data: Buffer.from('a\n') }, { stream: 'stderr', data: Buffer.from('b\n') }] });
  const { Id } = await f.svc.create({ Image: 'busybox' }, {});
  await f.svc.start(Id);
  const { batches } = await f.svc.logs(Id, { stdout: true, stderr: true, follow: true });
  const text = collect(flat(batches));
  setTimeout(() => f.runtime.exit(Id, 0), 20);
  assert.equal(await text, 'a\nb\n');
  const only = await f.svc.logs(Id, { stderr: true });
  assert.equal(await collect(flat(only.batches)), 'b\n');
  await assert.rejects(f.svc.logs(Id, {}), { message: 'Bad parameters: you must choose at least one stream' });
});

test('restore: live monitor re-adopted; dead monitor with exit code -> exited; restart always started', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  const a = await f.svc.create({ Image: 'busybox' }, { name: 'alive' });
  const b = await f.svc.create({ Image: 'busybox' }, { name: 'gone' });
  const c = await f.svc.create({ Image: 'busybox', HostConfig: { RestartPolicy: { Name: 'always' } } }, { name: 'always' });
  await f.svc.start(a.Id);
  await f.svc.start(b.Id);
  await f.svc.start(c.Id);
  f.svc.close();
  // berthd goes away; b's container exits with 7 and its conmon ends; c's conmon dies without an exit file.
  const pb = f.svc.ctx.records.get(b.Id)!;
  const pc = f.svc.ctx.records.get(c.Id)!;
  f.runtime.exits.set(f.svc.ctx.paths(b.Id).stateDir, 7);
  f.runtime.alive.delete(pb.state.conmonPid);
  f.runtime.alive.delete(pc.state.conmonPid);

  const svc2 = new LocalContainerService({ ...f.svc.ctx.deps });
  t.after(() => svc2.close());
  await svc2.restore();
  assert.equal((await svc2.inspect('alive')).State.Status, 'running');
  const gone = await svc2.inspect('gone');
  assert.equal(gone.State.Status, 'exited');
  assert.equal(gone.State.ExitCode, 7);
  assert.equal((await svc2.inspect('always')).State.Status, 'running');
  // the re-adopted container's exit is still noticed
  const w = svc2.wait('alive', 'not-running');
  f.runtime.exit(a.Id, 5);
  assert.deepEqual(await w, { StatusCode: 5 });
});

test('pause/unpause and list status text', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  const { Id } = await f.svc.create({ Image: 'busybox' }, {});
  await f.svc.start(Id);
  await f.svc.pause(Id);
  f.clock.advance(5000);
  const [s] = await f.svc.list({});
  assert.equal(s!.State, 'paused');
  assert.equal(s!.Status, 'Up 5 seconds (Paused)');
  await assert.rejects(f.svc.remove(Id, {}), /container is paused and must be unpaused first/);
  await f.svc.unpause(Id);
  await f.svc.kill(Id, 'KILL');
  f.clock.advance(120_000);
  const [e] = await f.svc.list({ all: true });
  assert.equal(e!.Status, 'Exited (137) 2 minutes ago');
});

test('inspect Mounts for binds', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  const { Id } = await f.svc.create({ Image: 'busybox', HostConfig: { Binds: ['/srv:/data:ro'] } }, {});
  assert.deepEqual((await f.svc.inspect(Id)).Mounts, [{ Type: 'bind', Source: '/srv', Destination: '/data', Mode: 'ro', RW: false, Propagation: 'rprivate' }]);
});

test('usersOfImage', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  const { Id } = await f.svc.create({ Image: 'busybox' }, {});
  assert.deepEqual(f.svc.usersOfImage(`sha256:${'ab'.repeat(32)}`), [{ containerId: Id, running: false }]);
  assert.deepEqual(f.svc.usersOfImage('sha256:00'), []);
});

test('events as dockerd emits them: kill with the signal number, stop after die, restart, rename with oldName', async (t) => {
  const f = fakeService();
  t.after(f.cleanup);
  f.runtime.behavior = () => ({ ignoreTerm: true });
  const { Id } = await f.svc.create({ Image: 'busybox', Labels: { tier: 'x' } }, { name: 'ev' });
  await f.svc.start(Id);
  await f.svc.rename(Id, 'ev2');
  await f.svc.restart(Id, { timeout: 0 });
  await f.svc.stop(Id, { timeout: 0 });
  await f.svc.remove(Id, {});
  const seen = f.events.map((e) => [e.Action, e.Actor.Attributes.signal, e.Actor.Attributes.oldName, e.Actor.Attributes.exitCode].filter(Boolean).join(' '));
  assert.deepEqual(seen, [
    'create', 'start', 'rename /ev',
    'kill 15', 'kill 9', 'die 137', 'stop', 'start', 'restart',
    'kill 15', 'kill 9', 'die 137', 'stop', 'destroy',
  ]);
  assert.equal(f.events[0].Actor.ID, Id);
  assert.deepEqual(f.events[0].Actor.Attributes, { tier: 'x', image: 'busybox', name: 'ev' });
  assert.equal(f.events.at(-1)!.Actor.Attributes.name, 'ev2');
});

async function* flat<T>(batches: AsyncIterable<Iterable<T>>): AsyncGenerator<T> {
  for await (const b of batches) yield* b;
}
