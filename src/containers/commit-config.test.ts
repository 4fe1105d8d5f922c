import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeCommitConfig } from './commit-config.js';

const container = {
  Hostname: 'abc',
  User: 'app',
  Env: ['PATH=/bin', 'A=1'],
  Cmd: ['sh'],
  Entrypoint: null,
  WorkingDir: '/srv',
  Labels: { l: 'c', keep: 'y' },
  ExposedPorts: { '80/tcp': {} },
  Volumes: { '/data': {} },
  StopSignal: 'SIGINT',
  Healthcheck: { Test: ['CMD', 'true'], Interval: 5, Retries: 3 },
};

test('commit merge: the commit config wins, the rest comes from the container (dockerd merge())', () => {
  const out = mergeCommitConfig({ Cmd: ['x'], Env: ['A=2'], Labels: { l: 'u' }, ExposedPorts: { '53/udp': {} }, Healthcheck: { Test: [], Timeout: 7 } }, container);
  assert.deepEqual(out.Cmd, ['x']);
  assert.equal(out.Entrypoint, null);
  assert.deepEqual(out.Env, ['A=2', 'PATH=/bin']);
  assert.deepEqual(out.Labels, { l: 'u', keep: 'y' });
  assert.deepEqual(out.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
  assert.deepEqual(out.Healthcheck, { Test: ['CMD', 'true'], Interval: 5, Timeout: 7, Retries: 3, StartPeriod: undefined });
  assert.deepEqual([out.User, out.WorkingDir, out.StopSignal, out.Hostname], ['app', '/srv', 'SIGINT', undefined]);
  assert.deepEqual(out.Volumes, { '/data': {} });
});

test('commit merge: an Entrypoint stops Cmd inheritance; empty ones inherit both', () => {
  const ep = mergeCommitConfig({ Entrypoint: ['/init'], Cmd: null }, container);
  assert.deepEqual([ep.Entrypoint, ep.Cmd], [['/init'], null]);
  const none = mergeCommitConfig({ Entrypoint: null, Cmd: null }, { ...container, Entrypoint: ['/e'] });
  assert.deepEqual([none.Entrypoint, none.Cmd], [['/e'], ['sh']]);
  const cleared = mergeCommitConfig({ Entrypoint: [], Cmd: null }, { ...container, Entrypoint: ['/e'] });
  assert.deepEqual([cleared.Entrypoint, cleared.Cmd], [[], ['sh']]);
  assert.deepEqual(mergeCommitConfig({}, { Cmd: ['a'] }).Labels, {});
});
