import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGoDuration } from './go-duration.js';

test('parseGoDuration reads what Go time.ParseDuration reads', () => {
  const cases: [string, number][] = [
    ['0', 0],
    ['5s', 5e9],
    ['30s', 30e9],
    ['1478s', 1478e9],
    ['-5s', -5e9],
    ['+5s', 5e9],
    ['5.0s', 5e9],
    ['5.6s', 5.6e9],
    ['.5s', 0.5e9],
    ['1.s', 1e9],
    ['10ns', 10],
    ['11us', 11e3],
    ['12µs', 12e3],
    ['12μs', 12e3],
    ['13ms', 13e6],
    ['14s', 14e9],
    ['15m', 15 * 60e9],
    ['16h', 16 * 3600e9],
    ['3h30m', 3.5 * 3600e9],
    ['10.5s4m', 4 * 60e9 + 10.5e9],
    ['1h1m1s1ms1us1ns', 3661001001001],
    ['1.5h', 1.5 * 3600e9],
  ];
  for (const [s, ns] of cases) assert.equal(parseGoDuration(s), ns, s);
});

test("parseGoDuration errors use Go's wording", () => {
  const cases: [string, string][] = [
    ['', 'time: invalid duration ""'],
    ['3', 'time: missing unit in duration "3"'],
    ['-', 'time: invalid duration "-"'],
    ['s', 'time: invalid duration "s"'],
    ['.', 'time: invalid duration "."'],
    ['.s', 'time: invalid duration ".s"'],
    ['1x', 'time: unknown unit "x" in duration "1x"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['9223372036854775810ns', 'time: invalid duration "9223372036854775810ns"'],
    ['3000000h', 'time: invalid duration "3000000h"'],
  ];
  for (const [s, message] of cases) assert.throws(() => parseGoDuration(s), (e: Error) => e.message === message, s);
});
