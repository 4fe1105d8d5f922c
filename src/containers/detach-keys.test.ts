import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detachKeyFilter, parseDetachKeys } from './detach-keys.js';

test('parseDetachKeys', () => {
  assert.deepEqual(parseDetachKeys(undefined), [16, 17]);
  assert.deepEqual(parseDetachKeys('ctrl-a,x'), [1, 120]);
  assert.deepEqual(parseDetachKeys('ctrl-@,ctrl-['), [0, 27]);
  assert.throws(() => parseDetachKeys('ctrl-aa'), { message: 'Invalid detach keys (ctrl-aa) provided' });
});

async function run(chunks: number[][]): Promise<{ out: number[]; detached: boolean }> {
  let detached = false;
  const f = detachKeyFilter([16, 17], () => (detached = true));
  const out: number[] = [];
  f.on('data', (b: Buffer) => out.push(...b));
  for (const c of chunks) f.write(Buffer.from(c));
  f.end();
  await new Promise((r) => setImmediate(r));
  return { out, detached };
}

test('detach sequence is swallowed and detaches; bytes before it pass', async () => {
  assert.deepEqual(await run([[97, 16], [17, 98]]), { out: [97], detached: true });
});

test('a broken partial sequence is passed through', async () => {
  assert.deepEqual(await run([[16, 97, 16, 16, 17]]), { out: [16, 97, 16], detached: true });
  assert.deepEqual(await run([[97, 98]]), { out: [97, 98], detached: false });
});
