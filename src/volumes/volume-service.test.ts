import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineError } from '../shared/errors.js';
import { VolumeService, type VolumeEvent } from './volume-service.js';
import { RecordingVolumeHost } from './volume-host.js';

const kind = async (fn: () => unknown): Promise<string> => {
  try {
    await fn();
  } catch (err) {
    return EngineError.is(err) ? `${err.kind}: ${err.message}` : String(err);
  }
  return 'ok';
};

async function withService(fn: (s: VolumeService, ctx: { root: string; host: RecordingVolumeHost; events: VolumeEvent[] }) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-vol-'));
  const root = join(dir, 'volumes');
  const host = new RecordingVolumeHost();
  const events: VolumeEvent[] = [];
  try {
    const s = await VolumeService.open({ root, host, publish: (e) => events.push(e) });
    await fn(s, { root, host, events });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('volumes: Docker shapes, create is idempotent, anonymous volumes are labelled', async () => {
  await withService(async (s, { root, events }) => {
    assert.deepEqual(s.list(), { Volumes: [], Warnings: null });
    const v = await s.create({ Name: 'data', Labels: { x: '1' } });
    assert.deepEqual(Object.keys(v), ['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
    assert.equal(v.Driver, 'local');
    assert.equal(v.Scope, 'local');
    assert.equal(v.Mountpoint, join(root, 'data', '_data'));
    assert.deepEqual(v.Labels, { x: '1' });
    assert.equal(v.Options, null);
    assert.match(v.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
    assert.ok(existsSync(v.Mountpoint));
    assert.equal((await s.create({ Name: 'data' })).CreatedAt, v.CreatedAt);
    const plain = await s.create({ Name: 'plain' });
    assert.equal(plain.Labels, null);
    const anon = await s.create({});
    assert.match(anon.Name, /^[0-9a-f]{64}$/);
    assert.deepEqual(anon.Labels, { 'com.docker.volume.anonymous': '' });
    assert.deepEqual(events.map((e) => `${e.Action} ${e.Actor.ID} ${e.Actor.Attributes.driver}`), ['create data local', 'create plain local', `create ${anon.Name} local`]);
    assert.equal(await kind(() => s.inspect('nope')), 'not-found: get nope: no such volume');
  });
});

test('volumes: names and driver options refused with dockerd wording', async () => {
  await withService(async (s) => {
    assert.equal(
      await kind(() => s.create({ Name: 'a/b' })),
      'invalid-argument: create a/b: "a/b" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path',
    );
    assert.match(await kind(() => s.create({ Name: '..' })), /^invalid-argument: create \.\.: "\.\." includes invalid characters/);
    assert.equal(await kind(() => s.create({ Name: 'a' })), 'invalid-argument: create a: volume name is too short, names should be at least two alphanumeric characters');
    assert.equal(await kind(() => s.create({ Name: 'vx', DriverOpts: { foo: 'bar' } })), 'invalid-argument: create vx: invalid option: "foo"');
    assert.equal(await kind(() => s.create({ Name: 'vx', DriverOpts: { o: 'bind' } })), 'invalid-argument: create vx: missing required option: "device"');
    assert.equal(await kind(() => s.create({ Name: 'vx', DriverOpts: { device: '/tmp' } })), 'invalid-argument: create vx: missing required option: "type"');
    assert.equal(await kind(() => s.create({ Name: 'vx', DriverOpts: { size: '1m' } })), 'invalid-argument: create vx: quota size requested but no quota support');
    assert.equal(await kind(() => s.create({ Name: 'vx', Driver: 'nfs3' })), 'not-found: create vx: error looking up volume plugin nfs3: plugin "nfs3" not found');
    assert.deepEqual(s.list().Volumes, []);
  });
});

test('volumes: references refuse rm and prune; release makes them dangling', async () => {
  await withService(async (s, { events }) => {
    const ctr = 'c'.repeat(64);
    const other = 'd'.repeat(64);
    await s.acquire('data', ctr);
    await s.acquire('data', other);
    const anon = await s.acquire('', ctr);
    assert.equal(await kind(() => s.remove('data')), `conflict: remove data: volume is in use - [${ctr}, ${other}]`);
    assert.equal(await kind(() => s.remove('data', { force: true })), `conflict: remove data: volume is in use - [${ctr}, ${other}]`);
    assert.deepEqual(s.list(new Map([['dangling', ['true']]])).Volumes, []);
    assert.deepEqual(await s.prune(new Map([['all', ['true']]])), { VolumesDeleted: null, SpaceReclaimed: 0 });
    s.release('data', ctr);
    s.release(anon.name, ctr);
    assert.deepEqual(s.list(new Map([['dangling', ['true']]])).Volumes.map((v) => v.Name), [anon.name]);
    assert.deepEqual(s.list(new Map([['dangling', ['false']]])).Volumes.map((v) => v.Name), ['data']);
    assert.equal(await kind(() => s.list(new Map([['dangling', ['maybe']]]))), "invalid-argument: invalid filter 'dangling=maybe'");
    assert.deepEqual(await s.prune(), { VolumesDeleted: [anon.name], SpaceReclaimed: 0 });
    assert.deepEqual(events.at(-1), { Type: 'volume', Action: 'prune', Actor: { ID: '', Attributes: { reclaimed: '0' } } });
    s.release('data', other);
    assert.equal(await kind(() => s.remove('data')), 'ok');
    assert.equal(await kind(() => s.remove('data')), 'not-found: get data: no such volume');
    assert.equal(await kind(() => s.remove('data', { force: true })), 'ok');
    assert.equal(await kind(() => s.acquire('gone', ctr, { mustExist: true })), 'not-found: get gone: no such volume');
  });
});

test('volumes: prune is anonymous-only unless all=true, honours labels, reports reclaimed bytes', async () => {
  await withService(async (s) => {
    const named = await s.create({ Name: 'named', Labels: { keep: 'no' } });
    const kept = await s.create({ Name: 'kept', Labels: { keep: 'yes' } });
    await s.create({ Name: 'tmpfs', DriverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' } });
    const anon = await s.create({});
    writeFileSync(join(anon.Mountpoint, 'f'), Buffer.alloc(1000));
    writeFileSync(join(named.Mountpoint, 'g'), Buffer.alloc(10));
    assert.deepEqual(await s.prune(), { VolumesDeleted: [anon.Name], SpaceReclaimed: 1000 });
    assert.equal(await kind(() => s.prune(new Map([['until', ['1h']]]))), "invalid-argument: invalid filter 'until'");
    assert.equal(await kind(() => s.prune(new Map([['all', ['1', '0']]]))), "invalid-argument: invalid filter 'all=1,0': only one value is expected");
    assert.deepEqual(await s.prune(new Map([['all', ['true']], ['label!', ['keep=yes']]])), { VolumesDeleted: ['named'], SpaceReclaimed: 10 });
    // volumes with driver options are never pruned (nothing local to reclaim), as in dockerd
    assert.deepEqual(s.list().Volumes.map((v) => v.Name), [kept.Name, 'tmpfs']);
    assert.deepEqual(await s.prune(new Map([['all', ['1']]])), { VolumesDeleted: ['kept'], SpaceReclaimed: 0 });
  });
});

test('volumes: list filters (name is a regexp, driver, label)', async () => {
  await withService(async (s) => {
    await s.create({ Name: 'web-data', Labels: { app: 'web' } });
    await s.create({ Name: 'db-data', Labels: { app: 'db', tier: 'back' } });
    const names = (f: [string, string[]][]): string[] => s.list(new Map(f)).Volumes.map((v) => v.Name);
    assert.deepEqual(names([['name', ['data']]]), ['db-data', 'web-data']);
    assert.deepEqual(names([['name', ['^db']]]), ['db-data']);
    assert.deepEqual(names([['label', ['app=web']]]), ['web-data']);
    assert.deepEqual(names([['label', ['tier']]]), ['db-data']);
    assert.deepEqual(names([['driver', ['local']]]), ['db-data', 'web-data']);
    assert.deepEqual(names([['driver', ['other']]]), []);
    assert.equal(await kind(() => s.list(new Map([['status', ['x']]]))), "invalid-argument: invalid filter 'status'");
  });
});

test('volumes: a device volume is mounted at first use and unmounted after the last, with events', async () => {
  await withService(async (s, { host, events }) => {
    const v = await s.create({ Name: 'scratch', DriverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m,uid=1000' } });
    assert.deepEqual(v.Options, { type: 'tmpfs', device: 'tmpfs', o: 'size=1m,uid=1000' });
    assert.deepEqual(host.calls, []);
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    await s.acquire('scratch', a);
    await s.acquire('scratch', b);
    assert.equal(await s.mount('scratch', a, { destination: '/s', rw: true, propagation: '' }), v.Mountpoint);
    await s.mount('scratch', b, { destination: '/t', rw: false, propagation: '' });
    assert.deepEqual(host.calls, [`mount tmpfs tmpfs size=1m,uid=1000 ${v.Mountpoint}`]);
    await s.unmount('scratch', a);
    await s.unmount('scratch', a);
    assert.equal(host.calls.length, 1);
    await s.unmount('scratch', b);
    assert.deepEqual(host.calls.slice(1), [`unmount ${v.Mountpoint}`]);
    const mine = events.filter((e) => e.Action === 'mount' || e.Action === 'unmount');
    assert.deepEqual(mine.map((e) => [e.Action, e.Actor.Attributes]), [
      ['mount', { container: a, destination: '/s', driver: 'local', propagation: '', 'read/write': 'true' }],
      ['mount', { container: b, destination: '/t', driver: 'local', propagation: '', 'read/write': 'false' }],
      ['unmount', { container: a, driver: 'local' }],
      ['unmount', { container: b, driver: 'local' }],
    ]);
    host.failNext = new Error('failed to mount local volume: mount /nope:/x, flags: 0x1000: no such file or directory');
    assert.equal(
      await kind(() => s.mount('scratch', a, { destination: '/s', rw: true, propagation: '' })),
      `internal: error while mounting volume '${v.Mountpoint}': failed to mount local volume: mount /nope:/x, flags: 0x1000: no such file or directory`,
    );
  });
});

test('volumes: records survive a restart; references come back from restore()', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-vol-'));
  const root = join(dir, 'volumes');
  try {
    const host = new RecordingVolumeHost();
    const s1 = await VolumeService.open({ root, host });
    await s1.create({ Name: 'data', Labels: { a: 'b' } });
    const anon = await s1.create({});
    const tmp = await s1.create({ Name: 'tmp', DriverOpts: { type: 'tmpfs', device: 'tmpfs' } });
    await s1.acquire('tmp', 'c1');
    await s1.mount('tmp', 'c1', { destination: '/t', rw: true, propagation: '' });
    const s2 = await VolumeService.open({ root, host });
    assert.deepEqual(s2.list(), s1.list());
    s2.restore([
      { containerId: 'c1', volumes: ['data', 'tmp'], running: true },
      { containerId: 'c2', volumes: ['data', 'missing'], running: false },
    ]);
    assert.equal(await kind(() => s2.remove('data')), 'conflict: remove data: volume is in use - [c1, c2]');
    assert.deepEqual(s2.users('tmp'), ['c1']);
    await s2.unmount('tmp', 'c1');
    assert.equal(host.calls.at(-1), `unmount ${tmp.Mountpoint}`);
    assert.equal(await kind(() => s2.remove(anon.Name)), 'ok');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('volumes: open() finishes what a kill -9 left behind and reads pre-schema records', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-vol-'));
  const root = join(dir, 'volumes');
  try {
    // a removal interrupted after its rename
    mkdirSync(join(root, '.removing-old-1234', '_data'), { recursive: true });
    // a create interrupted before its record: empty _data -> dropped
    mkdirSync(join(root, 'halfmade', '_data'), { recursive: true });
    // a record write interrupted before its rename: the temp file goes, the old record stays
    mkdirSync(join(root, 'legacy', '_data'), { recursive: true });
    writeFileSync(
      join(root, 'legacy', 'volume.json'),
      JSON.stringify({ CreatedAt: '2024-01-02T03:04:05Z', Driver: 'local', Labels: {}, Mountpoint: '/x', Name: 'legacy', Options: {}, Scope: 'local' }),
    );
    writeFileSync(join(root, 'legacy', '.volume.json.abcd.tmp'), '{"schemaVer');
    // data but no record: adopted
    mkdirSync(join(root, 'orphan', '_data'), { recursive: true });
    writeFileSync(join(root, 'orphan', '_data', 'keep'), 'x');
    const s = await VolumeService.open({ root, host: new RecordingVolumeHost() });
    assert.deepEqual(s.list().Volumes.map((v) => v.Name), ['legacy', 'orphan']);
    assert.deepEqual(readdirSync(root).sort(), ['legacy', 'orphan']);
    assert.deepEqual(readdirSync(join(root, 'legacy')).sort(), ['_data', 'volume.json']);
    const legacy = JSON.parse(readFileSync(join(root, 'legacy', 'volume.json'), 'utf8'));
    assert.deepEqual(legacy, { schemaVersion: 1, name: 'legacy', driver: 'local', createdAt: '2024-01-02T03:04:05Z', labels: null, options: null });
    assert.equal(s.inspect('legacy').Labels, null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('volumes: a volume whose data dir is still mounted is never deleted', async () => {
  await withService(async (s, { host }) => {
    const v = await s.create({ Name: 'bound', DriverOpts: { type: 'none', o: 'bind', device: '/srv' } });
    await s.acquire('bound', 'c1');
    await s.mount('bound', 'c1', { destination: '/b', rw: true, propagation: '' });
    s.release('bound', 'c1');
    // the container is gone but its unmount never happened: remove unmounts first
    assert.equal(await kind(() => s.remove('bound')), 'ok');
    assert.deepEqual(host.calls, [`mount none /srv bind ${v.Mountpoint}`, `unmount ${v.Mountpoint}`]);
  });
});
