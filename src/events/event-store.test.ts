import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus } from './event-bus.js';
import { EventStore } from './event-store.js';

function withDir(fn: (dir: string) => Promise<void> | void): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-event-store-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const ev = (bus: EventBus, action: string): void => void bus.publish({ Type: 'container', Action: action, Actor: { ID: 'c', Attributes: { name: 'x' } } });

test('events survive a reopen (a daemon restart) and sequence numbers continue', withDir(async (dir) => {
  let now = 1_000_000;
  const a = EventStore.open(dir);
  const bus1 = new EventBus(() => now++, a);
  ev(bus1, 'create');
  ev(bus1, 'start');
  // no close: a kill -9 leaves the descriptor open
  const b = EventStore.open(dir);
  assert.equal(b.lastSeq, 2);
  const bus2 = new EventBus(() => now++, b);
  ev(bus2, 'die');
  assert.deepEqual((await bus2.replay(0)).map((e) => e.Action), ['create', 'start', 'die']);
  const { events } = await b.read(0);
  assert.deepEqual(events.map((r) => r.seq), [1, 2, 3]);
  assert.equal(readFileSync(join(dir, 'events.log'), 'utf8').split('\n')[0], '{"berthEvents":1}');
  a.close();
  b.close();
}));

test('a torn last line is cut off at open and skipped by readers', withDir(async (dir) => {
  const s = EventStore.open(dir);
  const bus = new EventBus(Date.now, s);
  ev(bus, 'create');
  s.close();
  appendFileSync(join(dir, 'events.log'), '{"seq":2,"event":{"Type":"contai');
  const { events } = await EventStore.open(dir).read(0);
  assert.deepEqual(events.map((r) => r.event.Action), ['create']);
  const text = readFileSync(join(dir, 'events.log'), 'utf8');
  assert.ok(text.endsWith('\n') && !text.includes('"seq":2'), text);
  const again = EventStore.open(dir);
  const bus2 = new EventBus(Date.now, again);
  ev(bus2, 'start');
  assert.deepEqual((await bus2.replay(0)).map((e) => e.Action), ['create', 'start']);
  again.close();
}));

test('the log stays within its bound: one rotation keeps the newest events', withDir(async (dir) => {
  const s = EventStore.open(dir, { maxBytes: 8 * 1024 });
  const bus = new EventBus(Date.now, s);
  for (let i = 0; i < 400; i++) ev(bus, `a${i}`);
  const sizes = readdirSync(dir).map((f) => statSync(join(dir, f)).size);
  assert.deepEqual(readdirSync(dir).sort(), ['events.log', 'events.log.1']);
  assert.ok(sizes.reduce((x, y) => x + y, 0) <= 8 * 1024, `total ${sizes}`);
  const all = await bus.replay(0);
  assert.ok(all.length > 20 && all.length < 400, String(all.length));
  assert.equal(all.at(-1)!.Action, 'a399');
  const nums = all.map((e) => Number(e.Action.slice(1)));
  assert.deepEqual(nums, nums.map((_, i) => nums[0] + i), 'a contiguous, ordered tail');
  s.close();
}));

test('a file that is not an event log is set aside, not appended to', withDir(async (dir) => {
  writeFileSync(join(dir, 'events.log'), 'something else\n');
  const s = EventStore.open(dir);
  assert.equal(s.lastSeq, 0);
  assert.ok(readdirSync(dir).some((f) => f.startsWith('events.log.unreadable-')));
  s.close();
}));
