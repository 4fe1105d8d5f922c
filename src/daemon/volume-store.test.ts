import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
