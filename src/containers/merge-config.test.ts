import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeConfig, normalizeHostConfig, pathAndArgs } from './merge-config.js';
import { hostsFile, resolvConf } from '../network/index.js';
import { parseSignal } from './signals.js';

const image = { Entrypoint: ['/entry'], Cmd: ['serve'], Env: ['PATH=/bin', 'A=1'], Labels: { a: '1' }, WorkingDir: '/app', User: 'app' };

test('image Cmd/Entrypoint used when request has none', () => {
  const c = mergeConfig({ Image: 'x' }, image, 'x');
  assert.deepEqual([c.Entrypoint, c.Cmd], [['/entry'], ['serve']]);
  assert.deepEqual(pathAndArgs(c), { path: '/entry', args: ['serve'] });
  assert.equal(c.WorkingDir, '/app');
  assert.equal(c.User, 'app');
});

test('request Cmd replaces image Cmd, keeps image Entrypoint', () => {
  const c = mergeConfig({ Image: 'x', Cmd: ['other'] }, image, 'x');
  assert.deepEqual([c.Entrypoint, c.Cmd], [['/entry'], ['other']]);
});

test('request Entrypoint clears image Cmd', () => {
  const c = mergeConfig({ Image: 'x', Entrypoint: ['/bin/sh'] }, image, 'x');
  assert.deepEqual([c.Entrypoint, c.Cmd], [['/bin/sh'], null]);
});

test('empty Entrypoint clears image entrypoint but keeps its Cmd', () => {
  const c = mergeConfig({ Image: 'x', Entrypoint: [''] }, image, 'x');
  assert.deepEqual([c.Entrypoint, c.Cmd], [null, ['serve']]);
});

test('env: request keys override image keys; labels merge', () => {
  const c = mergeConfig({ Image: 'x', Env: ['A=2', 'B=3'], Labels: { b: '2' } }, image, 'x');
  assert.deepEqual(c.Env, ['PATH=/bin', 'A=2', 'B=3']);
  assert.deepEqual(c.Labels, { a: '1', b: '2' });
});

test('no command at all is an error', () => {
  assert.throws(() => mergeConfig({ Image: 'x' }, {}, 'x'), { message: 'No command specified' });
});

test('host config defaults and restart policy validation', () => {
  assert.equal(normalizeHostConfig(undefined).NetworkMode, 'default');
  assert.throws(() => normalizeHostConfig({ RestartPolicy: { Name: 'sometimes' as never } }), /invalid restart policy/);
  assert.throws(() => normalizeHostConfig({ AutoRemove: true, RestartPolicy: { Name: 'always' } }), /AutoRemove/);
});

test('hosts and resolv.conf', () => {
  const h = hostsFile({ hostname: 'abc', extraHosts: ['db:10.0.0.5'] });
  assert.match(h, /^127\.0\.0\.1\tlocalhost$/m);
  assert.match(h, /\tabc$/m);
  assert.match(h, /^10\.0\.0\.5\tdb$/m);
  assert.match(hostsFile({ hostname: 'abc', ip: '172.18.0.2', links: ['172.18.0.3\tdb db1'] }), /^172\.18\.0\.3\tdb db1\n172\.18\.0\.2\tabc\n$/m);
  assert.equal(resolvConf({ mode: 'host', hostResolv: 'nameserver 1.1.1.1\nsearch x\n' }), 'search x\nnameserver 1.1.1.1\n');
  assert.equal(resolvConf({ mode: 'none', hostResolv: 'nameserver 1.1.1.1\n' }), '\n');
  assert.equal(resolvConf({ mode: 'none', hostResolv: '', dns: ['9.9.9.9'] }), 'nameserver 9.9.9.9\n');
  assert.equal(resolvConf({ mode: 'bridge', hostResolv: 'nameserver 127.0.0.53\nnameserver 10.0.0.1\n' }), 'nameserver 10.0.0.1\n');
  assert.equal(resolvConf({ mode: 'bridge', hostResolv: 'nameserver 127.0.0.53\n' }), 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n');
  assert.equal(resolvConf({ mode: 'embedded', hostResolv: 'search corp\nnameserver 10.0.0.1\n', embedded: '172.18.0.1' }), 'search corp\nnameserver 172.18.0.1\noptions ndots:0\n');
});

test('signals', () => {
  assert.equal(parseSignal('term'), 'SIGTERM');
  assert.equal(parseSignal('9'), 'SIGKILL');
  assert.equal(parseSignal(undefined), 'SIGKILL');
  assert.throws(() => parseSignal('FOO'), { message: 'Invalid signal: FOO' });
});
