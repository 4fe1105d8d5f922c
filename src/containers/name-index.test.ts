import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NameIndex } from './name-index.js';
import { generateName } from './name-generator.js';

const A = 'aaaa1111'.repeat(8);
const B = 'aaaa2222'.repeat(8);

test('lookup by full id, name, unique prefix', () => {
  const ix = new NameIndex();
  ix.addId(A);
  ix.addId(B);
  ix.reserve('web', A);
  assert.equal(ix.lookup(A), A);
  assert.equal(ix.lookup('web'), A);
  assert.equal(ix.lookup('/web'), A);
  assert.equal(ix.lookup('aaaa2'), B);
  assert.throws(() => ix.lookup('nope'), { message: 'No such container: nope' });
  assert.throws(() => ix.lookup('aaaa'), { message: 'multiple IDs found with provided prefix: aaaa' });
});

test('name wins over id prefix', () => {
  const ix = new NameIndex();
  ix.addId(A);
  ix.addId(B);
  ix.reserve('aaaa2', A);
  assert.equal(ix.lookup('aaaa2'), A);
});

test('conflict message and release', () => {
  const ix = new NameIndex();
  ix.reserve('/web', A);
  assert.throws(() => ix.reserve('web', B), {
    message: `Conflict. The container name "/web" is already in use by container "${A}". You have to remove (or rename) that container to be able to reuse that name.`,
  });
  ix.forget(A, '/web');
  assert.equal(ix.reserve('web', B), '/web');
});

test('invalid names are refused', () => {
  const ix = new NameIndex();
  assert.throws(() => ix.reserve('bad name', A), /Invalid container name \(bad name\)/);
});

test('generated names look like adjective_surname and avoid collisions', () => {
  assert.match(generateName(), /^[a-z]+_[a-z]+$/);
  assert.match(generateName(1), /^[a-z]+_[a-z]+\d$/);
  const ix = new NameIndex();
  let n = 0;
  const pick = (max: number): number => (n++ < 2 ? 0 : Math.min(1, max - 1));
  const first = ix.reserveGenerated(A, () => 0);
  const second = ix.reserveGenerated(B, pick);
  assert.notEqual(first, second);
});
