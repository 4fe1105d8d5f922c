import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HealthcheckResult } from '../../api/types.js';
import { LimitedOutput, MAX_OUTPUT_LEN, applyProbeResult, healthFilterValue, healthText, startingHealth } from './health-state.js';

const T0 = Date.parse('2024-05-01T10:00:00Z');
const result = (atMs: number, code: number): HealthcheckResult => ({
  Start: new Date(T0 + atMs).toISOString(),
  End: new Date(T0 + atMs + 10).toISOString(),
  ExitCode: code,
  Output: `probe ${atMs}`,
});

test('probe results: healthy at once, unhealthy after `retries` failures, a success resets the streak', () => {
  const ctx = { retries: 2, startPeriodMs: 0, startedAtMs: T0 };
  let h = startingHealth(undefined);
  h = applyProbeResult(h, result(1000, 0), ctx);
  assert.deepEqual([h.Status, h.FailingStreak], ['healthy', 0]);
  h = applyProbeResult(h, result(2000, 1), ctx);
  assert.deepEqual([h.Status, h.FailingStreak], ['healthy', 1]);
  h = applyProbeResult(h, result(3000, -1), ctx);
  assert.deepEqual([h.Status, h.FailingStreak], ['unhealthy', 2]);
  h = applyProbeResult(h, result(4000, 1), ctx);
  assert.deepEqual([h.Status, h.FailingStreak], ['unhealthy', 3]);
  h = applyProbeResult(h, result(5000, 0), ctx);
  assert.deepEqual([h.Status, h.FailingStreak], ['healthy', 0]);
});

test('failures inside the start period do not count while starting', () => {
  const ctx = { retries: 1, startPeriodMs: 5000, startedAtMs: T0 };
  let h = startingHealth(undefined);
  h = applyProbeResult(h, result(1000, 1), ctx);
  assert.deepEqual([h.Status, h.FailingStreak, h.Log.length], ['starting', 0, 1]);
  h = applyProbeResult(h, result(6000, 1), ctx);
  assert.deepEqual([h.Status, h.FailingStreak], ['unhealthy', 1]);
  // once healthy, the start period no longer shields failures
  let g = applyProbeResult(startingHealth(undefined), result(500, 0), ctx);
  g = applyProbeResult(g, result(1000, 1), ctx);
  assert.deepEqual([g.Status, g.FailingStreak], ['unhealthy', 1]);
});

test('the log keeps the last five probes; a new start keeps it and resets status and streak', () => {
  const ctx = { retries: 3, startPeriodMs: 0, startedAtMs: T0 };
  let h = startingHealth(undefined);
  for (let i = 1; i <= 7; i++) h = applyProbeResult(h, result(i * 1000, i % 2), ctx);
  assert.deepEqual(h.Log.map((l) => l.Output), ['probe 3000', 'probe 4000', 'probe 5000', 'probe 6000', 'probe 7000']);
  const again = startingHealth({ ...h, Status: 'unhealthy', FailingStreak: 4 });
  assert.deepEqual([again.Status, again.FailingStreak, again.Log.length], ['starting', 0, 5]);
});

test('probe output is cut at 4096 bytes with ...', () => {
  const o = new LimitedOutput();
  o.write(Buffer.from('a'.repeat(4000)));
  o.write(Buffer.from('b'.repeat(200)));
  o.write(Buffer.from('c'));
  const s = o.toString();
  assert.equal(s.length, MAX_OUTPUT_LEN + 3);
  assert.ok(s.endsWith('b...'));
  const small = new LimitedOutput();
  small.write(Buffer.from('ok\n'));
  assert.equal(small.toString(), 'ok\n');
});

test('ps text and the health filter value', () => {
  assert.equal(healthText(startingHealth(undefined)), 'health: starting');
  assert.equal(healthText({ Status: 'healthy', FailingStreak: 0, Log: [] }), 'healthy');
  assert.equal(healthFilterValue(undefined), 'none');
  assert.equal(healthFilterValue({ Status: 'unhealthy', FailingStreak: 3, Log: [] }), 'unhealthy');
});
