import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OrderedLanes, Semaphore } from './ordered-lanes.js';

test('OrderedLanes: later lanes are held until the earlier ones finish', () => {
  const out: string[] = [];
  const lanes = new OrderedLanes(3, (s) => out.push(s));
  lanes.write(1, 'b1');
  lanes.write(0, 'a1');
  lanes.write(2, 'c1');
  lanes.finish(1);
  assert.deepEqual(out, ['a1']);
  lanes.write(0, 'a2');
  lanes.finish(0);
  assert.deepEqual(out, ['a1', 'a2', 'b1', 'c1']);
  lanes.write(2, 'c2');
  assert.deepEqual(out.at(-1), 'c2');
});

test('Semaphore: at most N at once, FIFO', async () => {
  const sem = new Semaphore(2);
  let running = 0;
  let peak = 0;
  const order: number[] = [];
  await Promise.all([1, 2, 3, 4, 5].map((n) => sem.run(async () => {
    running++;
    peak = Math.max(peak, running);
    order.push(n);
    await new Promise((r) => setTimeout(r, 5));
    running--;
  })));
  assert.equal(peak, 2);
  assert.deepEqual(order, [1, 2, 3, 4, 5]);
});
