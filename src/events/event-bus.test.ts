import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventBus } from './event-bus.js';
import { eventMatcher } from './event-filter.js';
import { parseFilters } from '../shared/filters.js';

test('publish stamps time/timeNano, keeps legacy fields, delivers to subscribers', () => {
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
  assert.deepEqual(bus.replay(1_700_000_003).map((x) => x.Action), ['destroy']);
  assert.deepEqual(bus.replay(undefined, 1_700_000_001).map((x) => x.Action), ['start', 'tag', 'die']);
});

test('history keeps the last 256 events; a throwing listener does not break publish', () => {
  const bus = new EventBus();
  bus.subscribe(() => {
    throw new Error('boom');
  });
  for (let i = 0; i < 300; i++) bus.publish({ Type: 'container', Action: `a${i}`, Actor: { ID: 'x' } });
  const all = bus.replay(0);
  assert.equal(all.length, 256);
  assert.equal(all[0].Action, 'a44');
});

test('filters: type, event, container by name or id prefix, image, label; unknown key rejected', () => {
  const bus = new EventBus();
  const c = bus.publish({ Type: 'container', Action: 'exec_start: sh', Actor: { ID: 'abcdef123', Attributes: { name: 'web', image: 'busybox:latest', tier: 'front' } } });
  const i = bus.publish({ Type: 'image', Action: 'pull', Actor: { ID: 'busybox:latest', Attributes: { name: 'busybox' } } });
  const m = (f: object) => eventMatcher(parseFilters(JSON.stringify(f)));
  assert.equal(m({ type: ['container'] })(c), true);
  assert.equal(m({ type: ['container'] })(i), false);
  assert.equal(m({ event: ['exec_start'] })(c), true);
  assert.equal(m({ container: ['web'] })(c), true);
  assert.equal(m({ container: ['abcd'] })(c), true);
  assert.equal(m({ container: ['db'] })(c), false);
  assert.equal(m({ container: ['web'] })(i), false);
  assert.equal(m({ image: ['busybox'] })(c), true);
  assert.equal(m({ image: ['busybox'] })(i), true);
  assert.equal(m({ label: ['tier=front'] })(c), true);
  assert.equal(m({ label: ['tier=back'] })(c), false);
  assert.throws(() => m({ bogus: ['1'] }), /invalid filter 'bogus'/);
});
