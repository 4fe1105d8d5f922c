import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goDuration, mergeHealthcheck, probePlan, validateHealthConfig } from './health-config.js';

test('probePlan: CMD, CMD-SHELL (through Config.Shell), NONE/empty/unknown = no probe; defaults', () => {
  assert.deepEqual(probePlan({ Healthcheck: { Test: ['CMD', 'test', '-f', '/x'] } })?.cmd, ['test', '-f', '/x']);
  assert.deepEqual(probePlan({ Healthcheck: { Test: ['CMD-SHELL', 'echo hi; exit 1'] } })?.cmd, ['/bin/sh', '-c', 'echo hi; exit 1']);
  assert.deepEqual(probePlan({ Shell: ['/bin/ash', '-eo'], Healthcheck: { Test: ['CMD-SHELL', 'x'] } })?.cmd, ['/bin/ash', '-eo', 'x']);
  for (const Test of [['NONE'], [], ['WHAT', 'x'], ['CMD']]) assert.equal(probePlan({ Healthcheck: { Test } }), undefined, JSON.stringify(Test));
  assert.equal(probePlan({}), undefined);
  const p = probePlan({ Healthcheck: { Test: ['CMD', 'true'] } })!;
  assert.deepEqual([p.intervalMs, p.timeoutMs, p.retries, p.startPeriodMs, p.startIntervalMs], [30_000, 30_000, 3, 0, 0]);
  const q = probePlan({ Healthcheck: { Test: ['CMD', 'true'], Interval: 1e9, Timeout: 5e8, Retries: 2, StartPeriod: 3e9, StartInterval: 2e8 } })!;
  assert.deepEqual([q.intervalMs, q.timeoutMs, q.timeoutNs, q.retries, q.startPeriodMs, q.startIntervalMs], [1000, 500, 5e8, 2, 3000, 200]);
});

test("validateHealthConfig: dockerd's create errors; zero and null are unset", () => {
  assert.throws(() => validateHealthConfig({ Interval: 999_999 }), { message: 'Interval in Healthcheck cannot be less than 1ms' });
  assert.throws(() => validateHealthConfig({ Timeout: 1 }), { message: 'Timeout in Healthcheck cannot be less than 1ms' });
  assert.throws(() => validateHealthConfig({ Retries: -1 }), { message: 'Retries in Healthcheck cannot be negative' });
  assert.throws(() => validateHealthConfig({ StartPeriod: -5 }), { message: 'StartPeriod in Healthcheck cannot be less than 1ms' });
  validateHealthConfig({ Interval: 0, Timeout: 1_000_000, StartPeriod: null as never, Retries: null as never });
  validateHealthConfig(undefined);
});

test("mergeHealthcheck: the image's when none given, else the user's with unset fields from the image; empty fields omitted", () => {
  const image = { Test: ['CMD', 'img'], Interval: 5e9, Retries: 4 };
  assert.deepEqual(mergeHealthcheck(undefined, image), image);
  assert.deepEqual(mergeHealthcheck({ Interval: 1e9 }, image), { Test: ['CMD', 'img'], Interval: 1e9, Retries: 4 });
  assert.deepEqual(mergeHealthcheck({ Test: ['NONE'] }, image), { Test: ['NONE'], Interval: 5e9, Retries: 4 });
  assert.deepEqual(mergeHealthcheck({ Test: ['CMD-SHELL', 'x'], Interval: 0, StartPeriod: null as never }, undefined), { Test: ['CMD-SHELL', 'x'] });
  assert.equal(mergeHealthcheck(undefined, undefined), undefined);
});

test("goDuration prints Go's time.Duration", () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [500_000_000, '500ms'],
    [1e9, '1s'],
    [1.5e9, '1.5s'],
    [90e9, '1m30s'],
    [3600e9, '1h0m0s'],
    [1_500_000, '1.5ms'],
    [1500, '1.5µs'],
    [12, '12ns'],
    [30e9, '30s'],
  ];
  for (const [ns, s] of cases) assert.equal(goDuration(ns), s, String(ns));
});
