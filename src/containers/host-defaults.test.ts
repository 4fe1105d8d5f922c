import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyHostDefaults } from './host-defaults.js';

test('dockerd fills LogConfig, Runtime, ShmSize, IpcMode, CgroupnsMode at create', () => {
  assert.deepEqual(applyHostDefaults({ LogConfig: { Type: '', Config: {} } }, { runtime: 'crun', cgroup2: false }), {
    LogConfig: { Type: 'json-file', Config: {} },
    Runtime: 'crun',
    ShmSize: 64 * 1024 * 1024,
    IpcMode: 'private',
    CgroupnsMode: 'host',
  });
  const kept = applyHostDefaults({ Runtime: 'runc', ShmSize: 1024, IpcMode: 'shareable', CgroupnsMode: 'private', LogConfig: { Type: 'none' } }, { runtime: 'crun', cgroup2: false });
  assert.deepEqual([kept.Runtime, kept.ShmSize, kept.IpcMode, kept.CgroupnsMode, kept.LogConfig?.Type], ['runc', 1024, 'shareable', 'private', 'none']);
  assert.equal(applyHostDefaults({}, { runtime: 'crun', cgroup2: true }).CgroupnsMode, 'private');
});

test('an unknown log driver or a file driver option it does not take is refused with dockerd\'s wording', () => {
  assert.throws(() => applyHostDefaults({ LogConfig: { Type: 'asdf' } }, { runtime: 'crun' }), { message: 'error looking up logging plugin asdf: plugin "asdf" not found' });
  assert.throws(() => applyHostDefaults({ LogConfig: { Type: 'json-file', Config: { foo: '1' } } }, { runtime: 'crun' }), {
    message: "unknown log opt 'foo' for json-file log driver",
  });
  assert.doesNotThrow(() => applyHostDefaults({ LogConfig: { Type: 'json-file', Config: { 'max-size': '1m', 'max-file': '2' } } }, { runtime: 'crun' }));
  assert.doesNotThrow(() => applyHostDefaults({ LogConfig: { Type: 'syslog', Config: { tag: 'x' } } }, { runtime: 'crun' }));
});
