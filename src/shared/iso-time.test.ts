import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isoTime } from './iso-time.js';

test('isoTime is toISOString for every four-digit year, and toISOString itself otherwise', () => {
  const samples = [0, 1, 999, 86_399_999, 951_782_400_000, 1_700_000_000_123, Date.now(), -1, -62_135_596_800_000, 253_402_300_799_999, 253_402_300_800_000, -62_135_596_800_001];
  for (let i = 0; i < 2000; i++) samples.push(Math.floor((Math.random() * 2 - 0.5) * 253_402_300_799_999));
  for (const ms of samples) assert.equal(isoTime(ms), new Date(ms).toISOString(), String(ms));
  assert.match(isoTime(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.throws(() => isoTime(Number.NaN), RangeError);
});
