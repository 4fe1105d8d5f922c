import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags } from './flags.js';
import { resolveConfig, parseHost } from './config.js';

test('defaults match the design (socket, roots, pidfile, runtime)', () => {
  const c = resolveConfig(parseFlags(['--config-file', '/dev/null']));
  assert.deepEqual(c.hosts, ['unix:///run/berth.sock']);
  assert.equal(c.dataRoot, '/var/lib/berth');
  assert.equal(c.execRoot, '/run/berth');
  assert.equal(c.pidfile, '/run/berth/berthd.pid');
  assert.equal(c.defaultRuntime, 'crun');
  assert.equal(c.logLevel, 'info');
});

test('flags: dockerd names, short forms, repeatable -H', () => {
  const f = parseFlags(['-H', 'unix:///a.sock', '--host=unix:///b.sock', '-D', '--exec-root', '/e', '-l', 'warn', '--default-runtime', 'runc']);
  assert.deepEqual(f.hosts, ['unix:///a.sock', 'unix:///b.sock']);
  const c = resolveConfig({ ...f, configFile: '/dev/null' });
  assert.equal(c.pidfile, '/e/berthd.pid');
  assert.equal(c.logLevel, 'warn');
  assert.equal(c.debug, true);
  assert.equal(c.defaultRuntime, 'runc');
  assert.throws(() => parseFlags(['--nope']), /unknown flag: --nope/);
});

test('daemon.json: keys, custom runtimes, errors', () => {
  const T = mkdtempSync(join(tmpdir(), 'berth-cfg-'));
  try {
    const p = join(T, 'daemon.json');
    writeFileSync(p, JSON.stringify({ 'data-root': '/d', hosts: ['unix:///x.sock'], runtimes: { myrt: { path: '/opt/myrt' } }, 'default-runtime': 'myrt', 'insecure-registries': ['localhost:5000'], debug: true }));
    const c = resolveConfig(parseFlags(['--config-file', p]));
    assert.equal(c.dataRoot, '/d');
    assert.deepEqual(c.hosts, ['unix:///x.sock']);
    assert.equal(c.runtimes.myrt.path, '/opt/myrt');
    assert.equal(c.defaultRuntime, 'myrt');
    assert.deepEqual(c.insecureRegistries, ['localhost:5000']);
    assert.equal(c.logLevel, 'debug');
    writeFileSync(p, '{bad');
    assert.throws(() => resolveConfig(parseFlags(['--config-file', p])), /unable to configure the Docker daemon with file/);
    assert.throws(() => resolveConfig(parseFlags(['--config-file', join(T, 'missing.json')])), /unable to configure/);
    assert.throws(() => resolveConfig(parseFlags(['--config-file', '/dev/null', '--default-runtime', 'kata'])), /specified default runtime 'kata' does not exist/);
  } finally {
    rmSync(T, { recursive: true, force: true });
  }
});

test('hosts: unix paths and loopback tcp only', () => {
  assert.deepEqual(parseHost('unix:///run/berth.sock'), { path: '/run/berth.sock' });
  assert.deepEqual(parseHost('tcp://127.0.0.1:2375'), { host: '127.0.0.1', port: 2375 });
  assert.throws(() => parseHost('tcp://0.0.0.0:2375'), /invalid bind address/);
  assert.throws(() => parseHost('unix://rel.sock'), /must be absolute/);
});
