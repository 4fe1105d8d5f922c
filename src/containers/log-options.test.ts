import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHumanSize, logRotation, mergeDaemonLogOpts } from './log-options.js';
import { applyHostDefaults } from './host-defaults.js';

const rot = (Type: string, Config: Record<string, string>) => logRotation({ Type, Config });
const err = (msg: string) => ({ message: `failed to initialize logging driver: ${msg}` });

test('json-file: unbounded by default, max-size/max-file as dockerd parses them', () => {
  assert.equal(rot('json-file', {}), undefined);
  assert.equal(rot('json-file', { 'max-file': '3' }), undefined); // max-file alone: no rotation
  assert.deepEqual(rot('json-file', { 'max-size': '10m', 'max-file': '3' }), { maxSize: 10_000_000, maxFiles: 3, compress: false });
  assert.deepEqual(rot('json-file', { 'max-size': '10m', 'max-file': '3', compress: 'true' }), { maxSize: 10_000_000, maxFiles: 3, compress: true });
  assert.deepEqual(rot('json-file', { 'max-size': '1.5k' }), { maxSize: 1500, maxFiles: 1, compress: false });
  assert.equal(fromHumanSize('10MiB'), 10_000_000);
  assert.equal(fromHumanSize('1 kb'), 1000);
  assert.throws(() => rot('json-file', { 'max-size': 'abc' }), err("invalid size: 'abc'"));
  assert.throws(() => rot('json-file', { 'max-size': '-1' }), err("invalid size: '-1'"));
  assert.throws(() => rot('json-file', { 'max-size': '0.5' }), err('max-size must be a positive number'));
  assert.throws(() => rot('json-file', { 'max-file': '0' }), err('max-file cannot be less than 1'));
  assert.throws(() => rot('json-file', { 'max-file': 'x' }), err('strconv.Atoi: parsing "x": invalid syntax'));
  assert.throws(() => rot('json-file', { compress: 'true' }), err('compress cannot be true when max-file is less than 2 or max-size is not set'));
  assert.throws(() => rot('json-file', { compress: 'x' }), err('strconv.ParseBool: parsing "x": invalid syntax'));
});

test('local: bounded by default (20 MiB x 5), its own wording', () => {
  assert.deepEqual(rot('local', {}), { maxSize: 20 * 1024 * 1024, maxFiles: 5, compress: true });
  assert.deepEqual(rot('local', { 'max-size': '1k', 'max-file': '2' }), { maxSize: 1000, maxFiles: 2, compress: true });
  assert.deepEqual(rot('local', { 'max-file': '1', compress: 'false' }), { maxSize: 20 * 1024 * 1024, maxFiles: 1, compress: false });
  assert.throws(() => rot('local', { 'max-size': 'abc' }), err("invalid value for max-size: abc: invalid size: 'abc'"));
  assert.throws(() => rot('local', { 'max-file': 'x' }), err('invalid value for max-file: x: strconv.Atoi: parsing "x": invalid syntax'));
  assert.throws(() => rot('local', { 'max-file': '1' }), err('compression cannot be enabled when max file count is 1'));
  assert.throws(() => rot('local', { compress: 'x' }), err('error reading compress log option: strconv.ParseBool: parsing "x": invalid syntax'));
  assert.equal(rot('none', {}), undefined);
});

test("daemon log-opts fill what a container of the daemon's driver leaves unset; unknown keys refused", () => {
  assert.deepEqual(mergeDaemonLogOpts({ Type: 'json-file', Config: { 'max-file': '2' } }, { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '9' } }).Config, {
    'max-file': '2',
    'max-size': '1m',
  });
  assert.deepEqual(mergeDaemonLogOpts({ Type: 'local' }, { Type: 'json-file', Config: { 'max-size': '1m' } }).Config, {});
  const hc = applyHostDefaults({}, { runtime: 'crun', logOpts: { 'max-size': '5m' } });
  assert.deepEqual(hc.LogConfig, { Type: 'json-file', Config: { 'max-size': '5m' } });
  assert.throws(() => applyHostDefaults({ LogConfig: { Type: 'json-file', Config: { foo: '1' } } }, { runtime: 'crun' }), { message: "unknown log opt 'foo' for json-file log driver" });
  assert.throws(() => applyHostDefaults({ LogConfig: { Type: 'local', Config: { foo: '1' } } }, { runtime: 'crun' }), { message: "unknown log opt 'foo' for log driver local" });
});
