import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../shared/errors.js';
import { parseBindSpec, parseMountEntry, parseVolumesFrom } from './mount-spec.js';

const err = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return EngineError.is(e) ? `${e.kind}: ${e.message}` : String(e);
  }
  return 'ok';
};

test('-v: binds, named and anonymous volumes, modes', () => {
  assert.deepEqual(parseBindSpec('/srv/data/:/data:ro,rslave'), {
    type: 'bind', name: '', source: '/srv/data', destination: '/data', rw: false, mode: 'ro,rslave', propagation: 'rslave', copyData: true, driver: '', nonRecursive: false, createSource: true,
  });
  assert.equal(parseBindSpec('/a:/b').propagation, 'rprivate');
  assert.equal(parseBindSpec('/a:/b:z').rw, true);
  assert.equal(parseBindSpec('/a:/b:Z').mode, 'Z');
  const named = parseBindSpec('data:/var/lib/app:nocopy');
  assert.deepEqual([named.type, named.name, named.destination, named.copyData, named.propagation, named.rw], ['volume', 'data', '/var/lib/app', false, '', true]);
  const anon = parseBindSpec('/cache');
  assert.deepEqual([anon.type, anon.name, anon.destination, anon.copyData], ['volume', '', '/cache', true]);
});

test('-v: errors in dockerd wording', () => {
  assert.equal(err(() => parseBindSpec('')), "invalid-argument: invalid volume specification: ''");
  assert.equal(err(() => parseBindSpec('/a:/b:ro:x')), "invalid-argument: invalid volume specification: '/a:/b:ro:x'");
  assert.equal(err(() => parseBindSpec('/foo:rw')), "invalid-argument: invalid volume specification: '/foo:rw'");
  assert.equal(err(() => parseBindSpec('/a:/b:bogus')), 'invalid-argument: invalid mode: bogus');
  assert.equal(err(() => parseBindSpec('/a:/b:ro,rw')), 'invalid-argument: invalid mode: ro,rw');
  assert.equal(
    err(() => parseBindSpec('/a:rel')),
    `invalid-argument: invalid volume specification: '/a:rel': invalid mount config for type "bind": invalid mount path: 'rel' mount path must be absolute`,
  );
  assert.equal(err(() => parseBindSpec('/a:/')), `invalid-argument: invalid volume specification: '/a:/': invalid mount config for type "bind": invalid specification: destination can't be '/'`);
  assert.equal(
    err(() => parseBindSpec('vol:/x:rshared')),
    `invalid-argument: invalid volume specification: 'vol:/x:rshared': invalid mount config for type "volume": field BindOptions must not be specified`,
  );
});

test('--mount: bind, volume, tmpfs, and dockerd errors', () => {
  const b = parseMountEntry({ Type: 'bind', Source: '/src', Target: '/dst', ReadOnly: true, BindOptions: { Propagation: 'rshared', NonRecursive: true } }, () => true);
  assert.deepEqual([b.type, b.source, b.destination, b.rw, b.propagation, b.nonRecursive, b.createSource, b.mode], ['bind', '/src', '/dst', false, 'rshared', true, false, '']);
  const v = parseMountEntry({ Type: 'volume', Source: 'v1', Target: '/v', VolumeOptions: { NoCopy: true, Labels: { a: 'b' }, DriverConfig: { Name: 'local', Options: { type: 'tmpfs', device: 'tmpfs' } } } });
  assert.deepEqual([v.name, v.copyData, v.driver, v.driverOpts, v.labels], ['v1', false, 'local', { type: 'tmpfs', device: 'tmpfs' }, { a: 'b' }]);
  assert.equal(parseMountEntry({ Type: 'tmpfs', Target: '/t' }).type, 'tmpfs');
  assert.equal(
    err(() => parseMountEntry({ Type: 'bind', Source: '/nope', Target: '/d' }, () => false)),
    'invalid-argument: invalid mount config for type "bind": bind source path does not exist: /nope',
  );
  assert.equal(err(() => parseMountEntry({ Type: 'bind', Target: '/d' })), 'invalid-argument: invalid mount config for type "bind": field Source must not be empty');
  assert.equal(err(() => parseMountEntry({ Type: 'volume', Target: '/d', ReadOnly: true })), 'invalid-argument: invalid mount config for type "volume": must not set ReadOnly mode when using anonymous volumes');
  assert.equal(err(() => parseMountEntry({ Type: 'volume', Source: 'x', Target: '' })), 'invalid-argument: invalid mount config for type "volume": field Target must not be empty');
  assert.equal(err(() => parseMountEntry({ Type: 'tmpfs', Source: 'x', Target: '/t' })), 'invalid-argument: invalid mount config for type "tmpfs": field Source must not be specified');
  assert.equal(err(() => parseMountEntry({ Type: 'npipe', Target: '/t' })), 'invalid-argument: invalid mount config for type "npipe": mount type unknown');
  assert.equal(
    err(() => parseMountEntry({ Type: 'bind', Source: '/s', Target: '/d', BindOptions: { Propagation: 'sideways' } }, () => true)),
    'invalid-argument: invalid mount config for type "bind": invalid propagation mode: sideways',
  );
});

test('--volumes-from: container[:ro|:rw]', () => {
  assert.deepEqual(parseVolumesFrom('data'), { ref: 'data', rw: true });
  assert.deepEqual(parseVolumesFrom('data:ro'), { ref: 'data', rw: false });
  assert.deepEqual(parseVolumesFrom('data:rw'), { ref: 'data', rw: true });
  assert.equal(err(() => parseVolumesFrom('data:rshared')), 'invalid-argument: invalid mode: rshared');
  assert.equal(err(() => parseVolumesFrom('data:nocopy')), 'invalid-argument: invalid mode: nocopy');
  assert.equal(err(() => parseVolumesFrom('')), 'invalid-argument: volumes-from specification cannot be an empty string');
});
