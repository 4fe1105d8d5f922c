import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { encodeFrame } from '../api-client/stdcopy.js';
import { FakeDaemon } from '../api-client/testing/fake-daemon.js';
import { BERTH_VERSION } from './version.js';

// The built CLI (npm run build -> scripts/build-cli.mjs): this file runs from dist/src/cli/.
const BUILT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../cli');
const FILES = ['berth.cjs', 'berth-main.cjs', 'berth-main.cjs.cache', 'berth-core.cjs', 'berth-core.cjs.cache'];
/** The whole CLI, or the everyday commands the launcher runs from berth-core.cjs. */
type Bundle = 'main' | 'core';
const MAGIC = 'berth-code-cache-v2';

let d: FakeDaemon;
const copies: string[] = [];

before(async () => {
  for (const f of FILES) assert.ok(existsSync(path.join(BUILT, f)), `${f} missing in ${BUILT}: run npm run build`);
  d = await FakeDaemon.start();
  d.on('GET /containers/:id/json', (_q, res) => d.json(res, 200, { Id: 'c'.repeat(64), Name: '/web', Config: { Tty: false }, State: { Running: true } }));
  d.on('GET /containers/:id/logs', (_q, res) => void res.writeHead(200).end(Buffer.concat([encodeFrame(1, 'out\n'), encodeFrame(2, 'err\n')])));
  d.on('GET /containers/json', (_q, res) => d.json(res, 200, [{ Id: 'c'.repeat(64), Names: ['/web'], Image: 'busybox', Command: 'sh', Created: 0, State: 'running', Status: 'Up 1 second', Ports: [], Labels: {} }]));
});
after(async () => {
  await d.stop();
  for (const c of copies) rmSync(c, { recursive: true, force: true });
});

/**
 * A private copy of the built CLI, so runs here never touch dist/cli's cache, beside dist/cli
 * (the bundle finds dist/src and node_modules from there); retried while a build rewrites dist/cli.
 */
function copyBuilt(name: string): string {
  const dir = path.join(BUILT, '..', `cli-test-${process.pid}-${name}`);
  copies.push(dir);
  mkdirSync(dir);
  for (let i = 0; ; i++) {
    for (const f of FILES) copyFileSync(path.join(BUILT, f), path.join(dir, f));
    if ((['main', 'core'] as const).every((b) => cacheOf(dir, b).subarray(0, header(dir, b).length).toString() === header(dir, b)) || i === 20) return dir;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
  }
}

/** Runs the copy's launcher as a process (async: the fake daemon answers from this process). */
function berth(dir: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(dir, 'berth.cjs'), ...args], { env: { ...process.env, DOCKER_HOST: `unix://${d.socketPath}` }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const buildId = (dir: string, b: Bundle = 'main'): string => readFileSync(path.join(dir, `berth-${b}.cjs`), 'utf8').split('\n', 1)[0]!;
const cacheOf = (dir: string, b: Bundle = 'main'): Buffer => readFileSync(path.join(dir, `berth-${b}.cjs.cache`));
/** The cache's first line up to its list of trained commands. */
const header = (dir: string, b: Bundle = 'main'): string => `${MAGIC} ${buildId(dir, b)} `;
const v8Data = (dir: string, b: Bundle = 'main'): Buffer => cacheOf(dir, b).subarray(cacheOf(dir, b).indexOf(10) + 1);
const trained = (dir: string, b: Bundle = 'main'): string[] => {
  const c = cacheOf(dir, b);
  return c.subarray(header(dir, b).length, c.indexOf(10)).toString().split(',');
};

test('the bundled CLI runs: --version, ps (whole replies) and logs (a streamed reply) against a daemon', async () => {
  const dir = copyBuilt('runs');
  const v = await berth(dir, ['--version']);
  assert.equal(v.stderr, '');
  assert.equal(v.stdout, `berth version ${BERTH_VERSION}, build berth\n`);
  assert.equal(v.status, 0);
  const ps = await berth(dir, ['ps']);
  assert.equal(ps.status, 0, ps.stderr);
  assert.match(ps.stdout, /^CONTAINER ID +IMAGE +COMMAND .*\ncccccccccccc +busybox +"sh" .* web\n$/);
  const logs = await berth(dir, ['logs', 'web']);
  assert.deepEqual(logs, { status: 0, stdout: 'out\n', stderr: 'err\n' });
  // cp's modules find a file beside them at load (archive/apply-worker.js, via import.meta.url)
  const cp = await berth(dir, ['cp', '--help']);
  assert.equal(cp.stderr, '');
  assert.match(cp.stdout, /Usage: +berth cp /);
});

test('the bin is the launcher with a shebang that drops NODE_EXTRA_CA_CERTS; the bundle names its build', () => {
  const pkg = JSON.parse(readFileSync(path.resolve(BUILT, '../../package.json'), 'utf8')) as { bin: Record<string, string> };
  assert.equal(pkg.bin.berth, 'dist/cli/berth.cjs');
  assert.equal(readFileSync(path.join(BUILT, 'berth.cjs'), 'utf8').split('\n', 1)[0], '#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node');
  assert.match(buildId(BUILT), /^\/\/ berth-cli [0-9a-f]{32}$/);
  assert.match(buildId(BUILT, 'core'), /^\/\/ berth-cli [0-9a-f]{32}$/);
  assert.ok(statSync(path.join(BUILT, 'berth-core.cjs')).size < statSync(path.join(BUILT, 'berth-main.cjs')).size * 0.75, 'the core bundle leaves the rare commands out');
});

test('the code cache made at build time fits this build, holds the common commands and is kept as is', async () => {
  const dir = copyBuilt('kept');
  const before = { main: cacheOf(dir), core: cacheOf(dir, 'core') };
  for (const b of ['main', 'core'] as const) {
    assert.ok(before[b].subarray(0, header(dir, b).length).toString() === header(dir, b), `${b}: cache header names this build`);
    assert.ok(before[b].length > header(dir, b).length + 1024, `${b}: cache holds V8 data`);
  }
  for (const c of ['-:help', '-']) assert.ok(trained(dir).includes(c), `trained on ${c}: ${trained(dir).join(',')}`);
  for (const c of ['ps', 'inspect', 'run']) assert.ok(trained(dir, 'core').includes(c), `core trained on ${c}: ${trained(dir, 'core').join(',')}`);
  assert.equal((await berth(dir, ['--version'])).status, 0);
  assert.equal((await berth(dir, ['ps'])).status, 0);
  assert.deepEqual({ main: cacheOf(dir), core: cacheOf(dir, 'core') }, before, 'a valid cache is not rewritten by commands it holds');
});

test('argv[0] picks the bundle: a core command runs berth-core.cjs, global flags first or any other command the whole CLI', async () => {
  const dir = copyBuilt('routes');
  const core = cacheOf(dir, 'core');
  const ps = await berth(dir, ['-H', `unix://${d.socketPath}`, 'ps']);
  assert.equal(ps.status, 0, ps.stderr);
  assert.match(ps.stdout, /cccccccccccc +busybox/);
  assert.ok(trained(dir).includes('ps'), 'the whole CLI ran it (and learnt it)');
  assert.deepEqual(cacheOf(dir, 'core'), core);
  const cp = await berth(dir, ['cp', '--help']);
  assert.equal(cp.status, 0, cp.stderr);
  assert.ok(trained(dir).includes('cp:help'));
  assert.deepEqual(cacheOf(dir, 'core'), core, 'core untouched by commands it does not have');
});

test('a command the cache does not hold yet is added to it at exit, once', async () => {
  const dir = copyBuilt('grows');
  const before = trained(dir, 'core');
  assert.ok(!before.includes('logs'));
  assert.deepEqual(await berth(dir, ['logs', 'web']), { status: 0, stdout: 'out\n', stderr: 'err\n' });
  assert.deepEqual(trained(dir, 'core'), [...before, 'logs']);
  const grown = cacheOf(dir, 'core');
  assert.equal((await berth(dir, ['logs', 'web'])).status, 0);
  assert.equal((await berth(dir, ['ps'])).status, 0);
  assert.deepEqual(cacheOf(dir, 'core'), grown, 'the grown cache loads and is kept');
  assert.equal((await berth(dir, ['logs', '--help'])).status, 0);
  assert.deepEqual(trained(dir, 'core'), [...before, 'logs', 'logs:help'], 'help runs other code: a command of its own');
});

test('a cache made for another build is ignored and replaced, not run', async () => {
  const dir = copyBuilt('stale');
  // the real V8 data of this build under another build's id: taken only if the id matched
  const data = v8Data(dir);
  writeFileSync(path.join(dir, 'berth-main.cjs.cache'), Buffer.concat([Buffer.from(`${MAGIC} // berth-cli ${'0'.repeat(32)} -\n`), data]));
  const r = await berth(dir, ['--version']);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, `berth version ${BERTH_VERSION}, build berth\n`);
  assert.equal(r.status, 0);
  assert.equal(cacheOf(dir).subarray(0, header(dir).length).toString(), header(dir), 'rewritten for this build');
});

test('a cache V8 rejects (garbage or truncated data under the right id) is replaced, not a crash', async () => {
  for (const [name, make] of [
    ['garbage', (data: Buffer) => Buffer.alloc(data.length, 0x5a)],
    ['truncated', (data: Buffer) => data.subarray(0, data.length >> 1)],
  ] as const) {
    const dir = copyBuilt(name);
    const data = v8Data(dir, 'core');
    const bad = Buffer.concat([Buffer.from(`${header(dir, 'core')}ps,run\n`), make(data)]);
    writeFileSync(path.join(dir, 'berth-core.cjs.cache'), bad);
    const r = await berth(dir, ['ps']);
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    assert.match(r.stdout, /cccccccccccc/);
    const now = cacheOf(dir, 'core');
    assert.notDeepEqual(now, bad, `${name}: rewritten`);
    assert.equal(now.subarray(0, header(dir, 'core').length).toString(), header(dir, 'core'));
    assert.equal((await berth(dir, ['ps'])).status, 0, `${name}: the rewritten cache loads`);
    assert.deepEqual(cacheOf(dir, 'core'), now, `${name}: and is kept`);
  }
});

test('no cache, or a cache that cannot be written, still runs', async () => {
  const dir = copyBuilt('missing');
  rmSync(path.join(dir, 'berth-main.cjs.cache'));
  assert.equal((await berth(dir, ['--version'])).status, 0);
  assert.equal(cacheOf(dir).subarray(0, header(dir).length).toString(), header(dir), 'made on first run');

  const ro = copyBuilt('unwritable');
  rmSync(path.join(ro, 'berth-main.cjs.cache'));
  mkdirSync(path.join(ro, 'berth-main.cjs.cache')); // neither readable as a file nor replaceable
  const r = await berth(ro, ['--version']);
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
  assert.deepEqual(readdirSync(ro).sort(), ['berth-core.cjs', 'berth-core.cjs.cache', 'berth-main.cjs', 'berth-main.cjs.cache', 'berth.cjs'], 'no temporary file left');
});
