import { test } from 'node:test';
import assert from 'node:assert/strict';
import { posix } from 'node:path';
import { cleanRelative, compareWalk, sortWalkOrder, walkOrder } from './context-entry.js';

const PATHS = ['a', 'a/b', 'a.b', 'a-b', 'a/b/c', 'ab', 'a0', 'b', 'a/.b', 'a/..b', '..a', '.a', 'Z', 'é', 'a/b.c', 'a/b/c.d'];

test('compareWalk orders as walkOrder (components first, then names); sortWalkOrder keeps a sorted list', () => {
  for (const a of PATHS) for (const b of PATHS) assert.equal(Math.sign(compareWalk(a, b)), Math.sign(walkOrder(a, b)), `${a} vs ${b}`);
  const sorted = [...PATHS].sort(walkOrder);
  assert.deepEqual(sortWalkOrder([...PATHS].reverse()), sorted);
  assert.deepEqual(sortWalkOrder(sorted), sorted);
});

test('cleanRelative: clean paths as they are, others normalised, climbing out refused', () => {
  const slow = (p: string): string | undefined => {
    const rel = posix.normalize(p.replace(/^\/+/, '') || '.').replace(/\/+$/, '');
    if (rel === '..' || rel.startsWith('../')) return undefined;
    return rel === '.' || rel === '' ? '' : rel;
  };
  const cases = [...PATHS, '', '.', '/', '/a', 'a/', 'a//b', './a', 'a/./b', 'a/../b', '../a', 'a/../../b', '..', '/../a', 'a/..', '...', 'a/...', '.../a'];
  for (const p of cases) assert.equal(cleanRelative(p), slow(p), JSON.stringify(p));
});
