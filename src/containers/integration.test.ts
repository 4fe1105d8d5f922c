import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { busyboxLayers, configFor, dockerArchive, readable, tempService } from '../images/test-fixtures.js';
import { isMountPoint } from '../mount/index.js';
import { OciRuntime } from '../runtime/index.js';
import { createContainerService } from './create-service.js';
import { LocalContainerService } from './local-container-service.js';

const canRun = process.getuid?.() === 0 && existsSync('/usr/bin/crun') && existsSync('/usr/bin/conmon');

const text = async (it: AsyncIterable<{ stream: string; data: Buffer }>, stream?: string): Promise<string> => {
  let s = '';
  for await (const c of it) if (!stream || c.stream === stream) s += c.data.toString();
  return s;
};

async function* flat<T>(batches: AsyncIterable<Iterable<T>>): AsyncGenerator<T> {
  for await (const b of batches) yield* b;
}

/** The parent cgroup these tests put containers under (crun removes the containers' own). */
function removeTestCgroups(): void {
  for (const ctl of readdirSync('/sys/fs/cgroup')) {
    try {
      rmdirSync(join('/sys/fs/cgroup', ctl, 'berth-test'));
    } catch {
      // absent or still in use by the other test
    }
  }
}

async function setup(): Promise<{ svc: LocalContainerService; dir: string; snapshotKeys: () => Promise<string[]>; cleanup(): Promise<void>; removeDirs(): void }> {
  const img = await tempService();
  const layers = await busyboxLayers();
  await img.svc.load(readable(await dockerArchive(layers, configFor(layers), ['busybox:latest'])), () => {});
  const execRoot = join(img.dir, 'exec');
  const runtime = new OciRuntime({ name: 'crun', path: '/usr/bin/crun', root: join(execRoot, 'runtime', 'crun') });
  const svc = createContainerService({ dataRoot: join(img.dir, 'data'), execRoot, images: img.svc, snapshots: img.snapshotter, runtime, cgroupParent: 'berth-test' });
  const removeDirs = (): void => {
    rmSync(img.dir, { recursive: true, force: true });
    removeTestCgroups();
  };
  return {
    svc,
    dir: img.dir,
    removeDirs,
    snapshotKeys: async () => (await img.snapshotter.list()).map((s) => s.key),
    async cleanup() {
      for (const c of await svc.list({ all: true })) await svc.remove(c.Id, { force: true }).catch(() => {});
      svc.close();
      removeDirs();
    },
  };
}

test('busybox container: attach before start, exit code, logs, rm (real crun + conmon + overlay)', { skip: !canRun && 'needs root, crun and conmon' }, async (t) => {
  const env = await setup();
  t.after(() => env.cleanup());
  const { svc } = env;
  const { Id } = await svc.create({ Image: 'busybox', Cmd: ['sh', '-c', 'echo hello; echo oops >&2; cat /etc/hello.txt; echo 12345 > /etc/new; exit 3'] }, { name: 'itest' });
  const session = await svc.attach(Id, { stdout: true, stderr: true, stream: true });
  const out = text(session.output);
  const waited = svc.wait(Id, 'next-exit');
  await svc.start(Id);
  assert.deepEqual(await waited, { StatusCode: 3 });
  assert.equal(await out, 'hello\noops\nhello\n');
  const ins = await svc.inspect('itest');
  assert.equal(ins.State.Status, 'exited');
  assert.equal(ins.State.ExitCode, 3);
  assert.ok(ins.GraphDriver.Data.UpperDir);
  assert.equal((await svc.inspect(Id, { size: true })).SizeRw, 6);
  assert.equal((await svc.list({ all: true, size: true }))[0]!.SizeRw, 6);
  assert.equal(readFileSync(ins.HostnamePath, 'utf8'), `${Id.slice(0, 12)}\n`);
  assert.equal(isMountPoint(svc.ctx.paths(Id).rootfs), false);
  const logs = await svc.logs(Id, { stdout: true, stderr: false });
  assert.equal(await text(flat(logs.batches)), 'hello\nhello\n');
  const errs = await svc.logs(Id, { stdout: false, stderr: true });
  assert.equal(await text(flat(errs.batches)), 'oops\n');
  assert.ok((await env.snapshotKeys()).includes(Id));
  await svc.remove(Id, {});
  assert.equal((await env.snapshotKeys()).includes(Id), false);
  assert.equal(existsSync(svc.ctx.paths(Id).dir), false);
});

test('command not found fails start with 127; stop escalates to SIGKILL', { skip: !canRun && 'needs root, crun and conmon' }, async (t) => {
  const env = await setup();
  t.after(() => env.cleanup());
  const { svc } = env;
  const bad = await svc.create({ Image: 'busybox', Cmd: ['nope-not-here'] }, {});
  await assert.rejects(svc.start(bad.Id), /executable file not found in \$PATH/);
  const ins = await svc.inspect(bad.Id);
  assert.equal(ins.State.ExitCode, 127);
  assert.equal(isMountPoint(svc.ctx.paths(bad.Id).rootfs), false);

  const { Id } = await svc.create({ Image: 'busybox', Cmd: ['sh', '-c', 'trap "" TERM; while :; do sleep 1; done'] }, {});
  await svc.start(Id);
  assert.equal((await svc.inspect(Id)).State.Running, true);
  const [row] = await svc.list({});
  assert.match(row!.Status, /^Up /);
  const t0 = Date.now();
  await svc.stop(Id, { timeout: 1 });
  assert.ok(Date.now() - t0 < 8000);
  const after = await svc.inspect(Id);
  assert.equal(after.State.Status, 'exited');
  assert.equal(after.State.ExitCode, 137);
  // restart then rm -f of a running container
  await svc.start(Id);
  await svc.remove(Id, { force: true });
  await assert.rejects(svc.inspect(Id), /No such container/);
});

test('stdin through attach (docker run -i): cat echoes and exits when stdin ends', { skip: !canRun && 'needs root, crun and conmon' }, async (t) => {
  const env = await setup();
  t.after(() => env.cleanup());
  const { svc } = env;
  const { Id } = await svc.create({ Image: 'busybox', Cmd: ['sh', '-c', 'while read l; do echo "got $l"; done; echo done'], OpenStdin: true, StdinOnce: true, AttachStdin: true }, {});
  const s = await svc.attach(Id, { stdin: true, stdout: true, stderr: true, stream: true });
  const out = text(s.output);
  await svc.start(Id);
  s.stdin!.write('one\n');
  s.stdin!.end('two\n');
  assert.equal(await out, 'got one\ngot two\ndone\n');
  assert.deepEqual(await svc.wait(Id, 'not-running'), { StatusCode: 0 });
});

test('restore after a daemon restart: exit while down is recorded, running one is re-adopted', { skip: !canRun && 'needs root, crun and conmon' }, async (t) => {
  const env = await setup();
  const { svc } = env;
  const quick = await svc.create({ Image: 'busybox', Cmd: ['sh', '-c', 'sleep 1; exit 7'] }, { name: 'quick' });
  const slow = await svc.create({ Image: 'busybox', Cmd: ['sh', '-c', 'trap "exit 9" TERM; while :; do sleep 0.2; done'] }, { name: 'slow' });
  await svc.start(quick.Id);
  await svc.start(slow.Id);
  svc.close();
  await new Promise((r) => setTimeout(r, 2500));
  const svc2 = new LocalContainerService(svc.ctx.deps);
  t.after(async () => {
    for (const c of await svc2.list({ all: true })) await svc2.remove(c.Id, { force: true }).catch(() => {});
    svc2.close();
    env.removeDirs();
  });
  await svc2.restore();
  const q = await svc2.inspect('quick');
  assert.equal(q.State.Status, 'exited');
  assert.equal(q.State.ExitCode, 7);
  assert.equal(isMountPoint(svc2.ctx.paths(quick.Id).rootfs), false);
  assert.equal((await svc2.inspect('slow')).State.Status, 'running');
  await svc2.stop('slow', { timeout: 5 });
  assert.equal((await svc2.inspect('slow')).State.ExitCode, 9);
});
