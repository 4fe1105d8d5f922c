import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Volume } from '../../api/types.js';
import { conflict } from '../../shared/errors.js';
import type { Filters } from '../../shared/filters.js';
import { fakeBackends } from '../fake-backends.js';
import { call, startTestServer } from '../test-server.js';

test('volume routes: prune adds all=true below API 1.42; errors map to Docker statuses', async () => {
  const seen: Record<string, string[]>[] = [];
  const vol: Volume = { CreatedAt: '2024-01-01T00:00:00Z', Driver: 'local', Labels: {}, Mountpoint: '/v/_data', Name: 'v1', Options: {}, Scope: 'local' };
  const b = fakeBackends();
  b.volumes = {
    list: () => ({ Volumes: [vol], Warnings: null }),
    create: async (req) => ({ ...vol, Name: req.Name ?? 'anon' }),
    inspect: () => vol,
    remove: async (name) => {
      throw conflict(`remove ${name}: volume is in use - [abc]`);
    },
    prune: async (f?: Filters) => {
      seen.push(Object.fromEntries(f ?? new Map()));
      return { VolumesDeleted: null, SpaceReclaimed: 0 };
    },
  };
  const srv = await startTestServer(b);
  try {
    const q = `filters=${encodeURIComponent(JSON.stringify({ label: ['x'] }))}`;
    assert.equal((await call(srv.socketPath, 'POST', `/v1.41/volumes/prune?${q}`)).status, 200);
    assert.equal((await call(srv.socketPath, 'POST', `/v1.42/volumes/prune?${q}`)).status, 200);
    assert.equal((await call(srv.socketPath, 'POST', `/volumes/prune?${q}`)).status, 200);
    assert.deepEqual(seen, [{ label: ['x'], all: ['true'] }, { label: ['x'] }, { label: ['x'] }]);
    const created = await call(srv.socketPath, 'POST', '/volumes/create', JSON.stringify({ Name: 'v2' }), { 'Content-Type': 'application/json' });
    assert.equal(created.status, 201);
    assert.equal(JSON.parse(created.text).Name, 'v2');
    const rm = await call(srv.socketPath, 'DELETE', '/volumes/v1');
    assert.equal(rm.status, 409);
    assert.equal(JSON.parse(rm.text).message, 'remove v1: volume is in use - [abc]');
    assert.equal(JSON.parse((await call(srv.socketPath, 'GET', '/volumes')).text).Volumes[0].Name, 'v1');
  } finally {
    await srv.close();
  }
});
