import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lazy } from './deferred.js';

test('lazy: made on first use, shared by later calls, a failure is retried', async () => {
  let made = 0;
  let fail = true;
  const get = lazy(async () => {
    made++;
    if (fail) throw new Error('not yet');
    return { n: made };
  });
  assert.equal(made, 0, 'nothing made before the first call');
  await assert.rejects(get(), /not yet/);
  fail = false;
  const [a, b] = await Promise.all([get(), get()]);
  assert.equal(a, b);
  assert.equal(made, 2);
  assert.equal(await get(), a);
});
