import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { KeyedLock } from './keyed-lock.js';

test('same key runs one at a time in order; other keys do not wait', async () => {
  const lock = new KeyedLock();
  const log: string[] = [];
  const job = (key: string, name: string, ms: number) =>
    lock.run(key, async () => {
      log.push(`start ${name}`);
      await sleep(ms);
      log.push(`end ${name}`);
      return name;
    });
  const results = await Promise.all([job('a', 'a1', 30), job('a', 'a2', 1), job('b', 'b1', 1)]);
  assert.deepEqual(results, ['a1', 'a2', 'b1']);
  assert.ok(log.indexOf('end a1') < log.indexOf('start a2'));
  assert.ok(log.indexOf('end b1') < log.indexOf('end a1'));
  assert.equal(lock.isLocked('a'), false);
});

test('a failing holder releases the key', async () => {
  const lock = new KeyedLock();
  await assert.rejects(lock.run('k', () => Promise.reject(new Error('boom'))), /boom/);
  assert.equal(await lock.run('k', () => 7), 7);
});
