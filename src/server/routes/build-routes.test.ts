import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRequest } from './build-routes.js';

test('POST /build query: Docker\'s names and defaults', () => {
  const q = new URLSearchParams('t=a&t=b:1&dockerfile=sub/Df&buildargs=%7B%22V%22%3A%222%22%2C%22N%22%3Anull%7D&target=x&nocache=1&labels=%7B%22l%22%3A%22v%22%7D&rm=0&forcerm=1&q=1&networkmode=none&shmsize=1024&extrahosts=h%3A1.2.3.4&cachefrom=%5B%22x%22%5D');
  const r = buildRequest(q);
  assert.deepEqual(r.tags, ['a', 'b:1']);
  assert.equal(r.dockerfile, 'sub/Df');
  assert.deepEqual(r.buildArgs, { V: '2', N: null });
  assert.equal(r.target, 'x');
  assert.equal(r.noCache, true);
  assert.deepEqual(r.labels, { l: 'v' });
  assert.equal(r.rm, false);
  assert.equal(r.forceRm, true);
  assert.equal(r.quiet, true);
  assert.equal(r.networkMode, 'none');
  assert.equal(r.shmSize, 1024);
  assert.deepEqual(r.extraHosts, ['h:1.2.3.4']);
  assert.deepEqual(r.cacheFrom, ['x']);
  const d = buildRequest(new URLSearchParams(''));
  assert.equal(d.rm, true);
  assert.deepEqual(d.tags, []);
  assert.throws(() => buildRequest(new URLSearchParams('buildargs=%7Bbad')), /invalid buildargs parameter/);
});
