import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalKeys } from './json-keys.js';
import { JSON_SHAPES } from '../api/json-shapes.js';

test('create body: keys matched case-insensitively like Go, map keys untouched, unknown keys kept', () => {
  const body = {
    image: 'busybox',
    CMD: ['true'],
    labels: { MixedCase: '1', image: 'x' },
    Unknown: 1,
    hostconfig: {
      CPURealtimeRuntime: 5,
      networkmode: 'none',
      portbindings: { '80/tcp': [{ hostip: '127.0.0.1', HOSTPORT: '8080' }] },
      restartpolicy: { name: 'always' },
      Mounts: [{ target: '/x', type: 'volume', volumeoptions: { Labels: { keepCase: 'y' } } }],
      LogConfig: { type: 'json-file', config: { 'max-size': '1m' } },
    },
    networkingconfig: { endpointsconfig: { MyNet: { aliases: ['a'], ipamconfig: { ipv4address: '10.0.0.2' } } } },
    healthcheck: { test: ['CMD', 'true'], startperiod: 1 },
  };
  assert.deepEqual(canonicalKeys(body, JSON_SHAPES.containerCreate), {
    Image: 'busybox',
    Cmd: ['true'],
    Labels: { MixedCase: '1', image: 'x' },
    Unknown: 1,
    HostConfig: {
      CpuRealtimeRuntime: 5,
      NetworkMode: 'none',
      PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] },
      RestartPolicy: { Name: 'always' },
      Mounts: [{ Target: '/x', Type: 'volume', VolumeOptions: { Labels: { keepCase: 'y' } } }],
      LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } },
    },
    NetworkingConfig: { EndpointsConfig: { MyNet: { Aliases: ['a'], IPAMConfig: { IPv4Address: '10.0.0.2' } } } },
    Healthcheck: { Test: ['CMD', 'true'], StartPeriod: 1 },
  });
});

test('an exact name wins over a folded one only by order: the later key sets the field, as in Go', () => {
  assert.deepEqual(canonicalKeys({ Memory: 1, memory: 2 }, JSON_SHAPES.containerCreate.HostConfig), { Memory: 2 });
  assert.deepEqual(canonicalKeys({ memory: 2, Memory: 1 }, JSON_SHAPES.containerCreate.HostConfig), { Memory: 1 });
});

test('non-objects pass through; a wrongly typed value is left for the handler to refuse', () => {
  assert.equal(canonicalKeys('x', JSON_SHAPES.containerCreate), 'x');
  assert.deepEqual(canonicalKeys([1], JSON_SHAPES.containerCreate), [1]);
  assert.deepEqual(canonicalKeys({ hostconfig: 'nope' }, JSON_SHAPES.containerCreate), { HostConfig: 'nope' });
  assert.deepEqual(canonicalKeys({ detach: true, TTY: false }, JSON_SHAPES.execStart), { Detach: true, Tty: false });
});
