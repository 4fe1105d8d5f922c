import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUpstream } from './upstream-exchange.js';

test('upstream entries: ip, ip:port, [ipv6]:port; anything else is rejected', () => {
  assert.deepEqual(parseUpstream('10.0.0.2'), { host: '10.0.0.2', port: 53 });
  assert.deepEqual(parseUpstream('127.0.0.1:5353'), { host: '127.0.0.1', port: 5353 });
  assert.deepEqual(parseUpstream('fd00::1'), { host: 'fd00::1', port: 53 });
  assert.deepEqual(parseUpstream('[fd00::1]:54'), { host: 'fd00::1', port: 54 });
  assert.equal(parseUpstream('dns.example:53'), undefined);
  assert.equal(parseUpstream('10.0.0.2:0'), undefined);
  assert.equal(parseUpstream('10.0.0.2:70000'), undefined);
  assert.equal(parseUpstream(''), undefined);
});
