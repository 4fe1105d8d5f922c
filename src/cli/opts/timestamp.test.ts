import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getTimestamp, parseGoDuration } from './timestamp.js';

const NOW = Date.UTC(2023, 10, 14, 22, 13, 20, 750); // 1700000000.75

test('durations count back from now in whole seconds (docker\'s Unix())', () => {
  assert.equal(getTimestamp('10m', NOW), '1699999400');
  assert.equal(getTimestamp('1h30m', NOW), String(1_700_000_000 - 5400));
  assert.equal(getTimestamp('-5s', NOW), '1700000005');
  assert.equal(getTimestamp('1.5s', NOW), '1699999999');
  assert.equal(parseGoDuration('300ms'), 300e6);
  assert.equal(parseGoDuration('1h'), 3600e9);
  assert.equal(parseGoDuration('5'), undefined);
  assert.equal(parseGoDuration('h'), undefined);
});

test('RFC 3339 forms become seconds.nanoseconds', () => {
  assert.equal(getTimestamp('2023-11-14T22:13:20Z', NOW), '1700000000.000000000');
  assert.equal(getTimestamp('2023-11-14T22:13:20.5+01:00', NOW), '1699996400.500000000');
  assert.equal(getTimestamp('2023-11-14T22:13:20.123456789123Z', NOW), '1700000000.123456789');
  assert.equal(getTimestamp('2023-11-14T22:13Z', NOW), '1699999980.000000000');
  assert.equal(getTimestamp('2023-11-14T22-02:00', NOW), '1700006400.000000000');
  assert.equal(getTimestamp('2023-11-14Z', NOW), '1699920000.000000000');
});

test('times without a zone are local (the offset in effect now)', () => {
  const off = -new Date(NOW).getTimezoneOffset() * 60;
  assert.equal(getTimestamp('2023-11-14', NOW), `${1_699_920_000 - off}.000000000`);
  assert.equal(getTimestamp('2023-11-14T22:13:20', NOW), `${1_700_000_000 - off}.000000000`);
});

test('unix timestamps pass through; errors in docker\'s words', () => {
  assert.equal(getTimestamp('0', NOW), '0');
  assert.equal(getTimestamp('1700000000.5', NOW), '1700000000.5');
  assert.throws(() => getTimestamp('yesterday', NOW), /^Error: failed to parse value as time or duration: "yesterday"$/);
  assert.throws(() => getTimestamp('2023-13-01', NOW), /^Error: parsing time "2023-13-01": month out of range$/);
  assert.throws(() => getTimestamp('2023-02-29T00:00:00Z', NOW), /day out of range/);
  assert.throws(() => getTimestamp('2023-01-01T24:00', NOW), /hour out of range/);
});
