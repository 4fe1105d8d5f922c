import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'node:http';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), 'main.js');

function ping(socketPath: string): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: '/_ping' }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function waitFor(cond: () => Promise<boolean> | boolean, ms = 10000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('timed out');
}

function run(args: string[]): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, output: () => out, exit };
}

test('berthd: serves /_ping, refuses a second instance, shuts down cleanly on SIGTERM', { timeout: 30000 }, async () => {
  const T = mkdtempSync(join(tmpdir(), 'berthd-data-'));
  const T2 = mkdtempSync(join(tmpdir(), 'berthd-exec-'));
  const sock = join(T, 's.sock');
  const args = ['--data-root', T, '--exec-root', T2, '-H', `unix://${sock}`];
  const d = run(args);
  try {
    await waitFor(() => ping(sock).then((r) => r.status === 200, () => false));
    const r = await ping(sock);
    assert.equal(r.body, 'OK');
    assert.equal(r.headers['api-version'], '1.43');
    assert.equal(statSync(sock).mode & 0o777, 0o660);
    const pidfile = join(T2, 'berthd.pid');
    assert.equal(readFileSync(pidfile, 'utf8').trim(), String(d.child.pid));

    const second = run([...args.slice(0, 4), '-H', `unix://${join(T, 'other.sock')}`]);
    assert.equal(await second.exit, 1);
    assert.match(second.output(), new RegExp(`pid file found, ensure docker is not running or delete ${pidfile}`));
    assert.equal((await ping(sock)).status, 200, 'first daemon unaffected');

    // an open /events stream must not hold up shutdown
    const events = request({ socketPath: sock, path: '/events' });
    const eventsClosed = new Promise<void>((r) => events.on('close', () => r()));
    events.on('error', () => {});
    events.end();
    await new Promise<void>((r) => events.on('response', () => r()));
    d.child.kill('SIGTERM');
    assert.equal(await d.exit, 0);
    await eventsClosed;
    assert.equal(existsSync(pidfile), false, 'pidfile removed');
    assert.equal(existsSync(sock), false, 'socket removed');
  } finally {
    if (d.child.exitCode === null) d.child.kill('SIGKILL');
    rmSync(T, { recursive: true, force: true });
    rmSync(T2, { recursive: true, force: true });
  }
});

test('berthd: a stale pidfile and a stale socket do not block start', async () => {
  const T = mkdtempSync(join(tmpdir(), 'berthd-data-'));
  const sock = join(T, 's.sock');
  const pidfile = join(T, 'p.pid');
  writeFileSync(pidfile, '999999999');
  writeFileSync(sock, 'stale');
  const d = run(['--data-root', T, '--exec-root', join(T, 'exec'), '--pidfile', pidfile, '-H', `unix://${sock}`]);
  try {
    await waitFor(() => ping(sock).then((r) => r.status === 200, () => false));
    d.child.kill('SIGINT');
    assert.equal(await d.exit, 0);
  } finally {
    if (d.child.exitCode === null) d.child.kill('SIGKILL');
    rmSync(T, { recursive: true, force: true });
  }
});

test('berthd: bad flags and bad config files fail fast with dockerd-like messages', async () => {
  const T = mkdtempSync(join(tmpdir(), 'berthd-cfg-'));
  try {
    const bad = run(['--bogus']);
    assert.equal(await bad.exit, 125);
    assert.match(bad.output(), /unknown flag: --bogus/);
    const cfg = join(T, 'daemon.json');
    writeFileSync(cfg, JSON.stringify({ 'data-root': '/x' }));
    const both = run(['--config-file', cfg, '--data-root', T]);
    assert.equal(await both.exit, 1);
    assert.match(both.output(), /the following directives are specified both as a flag and in the configuration file: data-root: \(from flag: .*, from file: \/x\)/);
    const v = run(['--version']);
    assert.equal(await v.exit, 0);
    assert.match(v.output(), /^Berth version /);
  } finally {
    rmSync(T, { recursive: true, force: true });
  }
});
