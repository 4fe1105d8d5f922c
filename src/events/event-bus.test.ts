import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus } from './event-bus.js';
import { EventStore } from './event-store.js';
import { eventMatcher, stripTag } from './event-filter.js';
import { parseFilters } from '../shared/filters.js';
import type { EngineEvent } from './event-types.js';

test('publish stamps time/timeNano, keeps legacy fields, delivers to subscribers', async () => {
  let now = 1_700_000_000_123;
  const bus = new EventBus(() => now);
  const seen: string[] = [];
  const off = bus.subscribe((e) => seen.push(e.Action));
  const e = bus.publish({ Type: 'container', Action: 'start', Actor: { ID: 'abc', Attributes: { image: 'busybox', name: 'web' } } });
  assert.equal(e.time, 1_700_000_000);
  assert.equal(e.timeNano, 1_700_000_000_123_000_000);
  assert.equal(e.status, 'start');
  assert.equal(e.id, 'abc');
  assert.equal(e.from, 'busybox');
  assert.equal(e.scope, 'local');
  const same = bus.publish({ Type: 'image', Action: 'tag', Actor: { ID: 'sha256:1' } });
  assert.ok(same.timeNano >= e.timeNano);
  assert.equal(same.from, undefined);
  off();
  bus.publish({ Type: 'container', Action: 'die', Actor: { ID: 'abc' } });
  assert.deepEqual(seen, ['start', 'tag']);
  now += 5000;
  bus.publish({ Type: 'container', Action: 'destroy', Actor: { ID: 'abc' } });
  assert.deepEqual((await bus.replay(1_700_000_003)).map((x) => x.Action), ['destroy']);
  assert.deepEqual((await bus.replay(undefined, 1_700_000_001)).map((x) => x.Action), ['start', 'tag', 'die']);
});

test('a clock going back does not reorder events', async () => {
  let now = 2_000_000_000_000;
  const bus = new EventBus(() => now);
  const a = bus.publish({ Type: 'container', Action: 'a', Actor: { ID: 'x' } });
  now -= 1000;
  const b = bus.publish({ Type: 'container', Action: 'b', Actor: { ID: 'x' } });
  assert.ok(b.timeNano >= a.timeNano);
});

test('without a log the last 256 events are kept in memory; a throwing listener does not break publish', async () => {
  const bus = new EventBus();
  bus.subscribe(() => {
    throw new Error('boom');
  });
  for (let i = 0; i < 300; i++) bus.publish({ Type: 'container', Action: `a${i}`, Actor: { ID: 'x' } });
  const all = await bus.replay(0);
  assert.equal(all.length, 256);
  assert.equal(all[0].Action, 'a44');
});

test('stream: the past, then live events, none lost or repeated while the past is read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-events-'));
  try {
    const store = EventStore.open(dir);
    const bus = new EventBus(Date.now, store);
    bus.publish({ Type: 'container', Action: 'p1', Actor: { ID: 'x' } });
    bus.publish({ Type: 'container', Action: 'p2', Actor: { ID: 'x' } });
    const seen: string[] = [];
    const read = store.read.bind(store);
    // an event published while the log is being read must be delivered exactly once
    store.read = async (since, until) => {
      const r = read(since, until);
      bus.publish({ Type: 'container', Action: 'during', Actor: { ID: 'x' } });
      return r;
    };
    const off = await bus.stream({ since: 0 }, (e) => seen.push(e.Action));
    bus.publish({ Type: 'container', Action: 'live', Actor: { ID: 'x' } });
    off();
    bus.publish({ Type: 'container', Action: 'after', Actor: { ID: 'x' } });
    assert.deepEqual(seen, ['p1', 'p2', 'during', 'live']);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('filters follow dockerd: type, event (exec_* by prefix), actors by ID/name prefix, image with or without tag, label', () => {
  const bus = new EventBus();
  const c = bus.publish({ Type: 'container', Action: 'exec_start: sh', Actor: { ID: 'abcdef123', Attributes: { name: 'web', image: 'busybox:latest', tier: 'front' } } });
  const i = bus.publish({ Type: 'image', Action: 'tag', Actor: { ID: 'sha256:77', Attributes: { name: 'app:v1' } } });
  const n = bus.publish({ Type: 'network', Action: 'connect', Actor: { ID: 'n123', Attributes: { name: 'front', container: 'abcdef123' } } });
  const m = (f: object): ((e: EngineEvent) => boolean) => eventMatcher(parseFilters(JSON.stringify(f)));
  assert.equal(m({ type: ['container'] })(c), true);
  assert.equal(m({ type: ['container'] })(i), false);
  assert.equal(m({ event: ['exec_start'] })(c), true);
  assert.equal(m({ event: ['exec_start: sh'] })(c), true);
  assert.equal(m({ event: ['exec'] })(c), false);
  assert.equal(m({ event: ['tag', 'untag'] })(i), true);
  assert.equal(m({ container: ['web'] })(c), true);
  assert.equal(m({ container: ['we'] })(c), true);
  assert.equal(m({ container: ['abcd'] })(c), true);
  assert.equal(m({ container: ['db'] })(c), false);
  assert.equal(m({ container: ['web'] })(i), false);
  assert.equal(m({ container: ['abcdef123'] })(n), false);
  assert.equal(m({ network: ['front'] })(n), true);
  assert.equal(m({ image: ['busybox'] })(c), true);
  assert.equal(m({ image: ['busybox:latest'] })(c), true);
  assert.equal(m({ image: ['app'] })(i), true);
  assert.equal(m({ image: ['sha256:77'] })(i), true);
  assert.equal(m({ image: ['busy'] })(c), false);
  assert.equal(m({ label: ['tier=front'] })(c), true);
  assert.equal(m({ label: ['tier=back'] })(c), false);
  assert.equal(m({ type: ['container'], event: ['exec_start'], label: ['tier'] })(c), true);
  assert.throws(() => m({ bogus: ['1'] }), /invalid filter 'bogus'/);
});

test('stripTag gives the familiar repository', () => {
  assert.equal(stripTag('busybox:latest'), 'busybox');
  assert.equal(stripTag('docker.io/library/busybox:1'), 'busybox');
  assert.equal(stripTag('localhost:5000/a/b:v1'), 'localhost:5000/a/b');
  assert.equal(stripTag('localhost:5000/a'), 'localhost:5000/a');
  assert.equal(stripTag('sha256:abc'), 'sha256:abc');
  assert.equal(stripTag('x@sha256:abc'), 'x');
});
