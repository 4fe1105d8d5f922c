import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetworkStore } from './network-store.js';
import { VolumeStore } from './volume-store.js';
import { EngineError } from '../shared/errors.js';

const kind = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    return EngineError.is(err) ? `${err.kind}: ${err.message}` : String(err);
  }
  return 'ok';
};

test('networks: predefined, create/dup/inspect by name and prefix, connect blocks remove, persisted, prune', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-net-'));
  try {
    const file = join(dir, 'networks.json');
    const running = new Set(['web']);
    const lookup = async (ref: string) => ({ id: ref.startsWith('id-') ? ref : `id-${ref}`, name: `/${ref}`, running: running.has(ref.replace(/^id-/, '')) });
    const s = new NetworkStore(file, lookup);
    assert.deepEqual(s.list().map((n) => [n.Name, n.Driver]), [['bridge', 'bridge'], ['host', 'host'], ['none', 'null']]);
    const { Id } = s.create({ Name: 'app', Labels: { a: 'b' } });
    assert.equal(kind(() => s.create({ Name: 'app' })), 'conflict: network with name app already exists');
    assert.equal(kind(() => s.create({ Name: '' })), 'invalid-argument: network name cannot be empty');
    assert.equal(s.inspect('app').Id, Id);
    assert.equal(s.inspect(Id.slice(0, 6)).Name, 'app');
    assert.equal(kind(() => s.inspect('nope')), 'not-found: network nope not found');
    await assert.rejects(s.remove('bridge'), { kind: 'forbidden', message: 'bridge is a pre-defined network and cannot be removed' });
    await s.connect('app', 'web');
    assert.deepEqual(Object.keys(s.inspect('app').Containers), ['id-web']);
    await assert.rejects(s.remove('app'), /^EngineError: error while removing network: network app id .* has active endpoints$/);
    assert.equal(new NetworkStore(file, lookup).list().length, 4, 'reloaded from disk');
    await s.disconnect('app', 'web', false);
    await s.connect('app', 'db');
    assert.deepEqual(s.list(new Map([['label', ['a=b']]])).map((n) => n.Name), ['app']);
    await s.remove('app'); // db is not running: not an active endpoint
    s.create({ Name: 'other' });
    assert.deepEqual(s.prune(), { NetworksDeleted: ['other'] });
    assert.equal(new NetworkStore(file, lookup).list().length, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('volumes: Docker shapes, create is idempotent, anonymous-only prune unless all=true', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-vol-'));
  try {
    const s = new VolumeStore(join(dir, 'volumes'));
    assert.deepEqual(s.list(), { Volumes: [], Warnings: null });
    const v = s.create({ Name: 'data', Labels: { x: '1' } });
    assert.equal(v.Driver, 'local');
    assert.equal(v.Scope, 'local');
    assert.ok(existsSync(v.Mountpoint));
    assert.equal(s.create({ Name: 'data' }).CreatedAt, v.CreatedAt);
    const anon = s.create({});
    assert.match(anon.Name, /^[0-9a-f]{64}$/);
    assert.equal(kind(() => s.inspect('nope')), 'not-found: get nope: no such volume');
    assert.match(kind(() => s.create({ Name: 'a/b' })), /^invalid-argument: create a\/b: "a\/b" includes invalid characters/);
    assert.deepEqual(s.prune(), { VolumesDeleted: [anon.Name], SpaceReclaimed: 0 });
    assert.deepEqual(s.prune(new Map([['all', ['true']]])), { VolumesDeleted: ['data'], SpaceReclaimed: 0 });
    assert.equal(kind(() => s.remove('data')), 'not-found: get data: no such volume');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
