import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bridgeMac } from './ip-net-host.js';

test('bridges get a fixed, locally administered MAC derived from their name', () => {
  assert.equal(bridgeMac('berth0'), bridgeMac('berth0'));
  assert.notEqual(bridgeMac('berth0'), bridgeMac('br-0123456789ab'));
  assert.match(bridgeMac('berth0'), /^02(:[0-9a-f]{2}){5}$/);
});
