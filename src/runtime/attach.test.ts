import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { attach, launch, monitorPaths, readExitCode, startContainer, watchExit, type ExitInfo } from './conmon-monitor.js';
import { openAttach, type AttachChunk } from './attach.js';
import { makeTestBundle, type TestBundle } from './test-support.js';

function exited(b: TestBundle): Promise<ExitInfo> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('container did not exit')), 10_000);
    watchExit(b.stateDir, (info) => (clearTimeout(t), resolve(info)), { pollMs: 100 });
  });
}

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(cond(), what);
}

function reader(output: AsyncIterable<AttachChunk>): { text: () => string; done: Promise<void> } {
  let s = '';
  const done = (async () => {
    for await (const c of output) s += c.data.toString();
  })();
  return { text: () => s, done };
}

test('stdinOnce=false: ending one attach leaves stdin open for the next', async () => {
  const b = makeTestBundle(['cat']);
  try {
    await launch({ id: b.id, bundleDir: b.bundleDir, runtime: b.runtime, stateDir: b.stateDir, logPath: b.logPath, terminal: false, stdin: true, stdinOnce: false });
    const first = attach(b.stateDir, { stdin: true });
    const r1 = reader(first.output);
    await startContainer(b.runtime, b.id);
    first.stdin!.end('one\n');
    await until(() => r1.text() === 'one\n', 'first attach got its echo');
    first.close();
    await r1.done;
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await b.runtime.state(b.id))?.status, 'running', 'cat still has its stdin');
    const second = attach(b.stateDir, { stdin: true });
    const r2 = reader(second.output);
    second.stdin!.write('two\n');
    await until(() => r2.text() === 'two\n', 'second attach got its echo');
    const exit = exited(b);
    await b.runtime.kill(b.id, 'KILL'); // cat is pid 1: TERM has no handler and is ignored
    assert.equal((await exit).exitCode, 137);
    await r2.done; // output ends when conmon exits
  } finally {
    await b.cleanup();
  }
});

test('close() detaches at once while the container keeps running', async () => {
  const b = makeTestBundle(['sh', '-c', 'while true; do echo tick; sleep 0.05; done']);
  try {
    await launch({ id: b.id, bundleDir: b.bundleDir, runtime: b.runtime, stateDir: b.stateDir, logPath: b.logPath, terminal: false, stdin: false });
    const conn = attach(b.stateDir, { stdin: false });
    const r = reader(conn.output);
    await startContainer(b.runtime, b.id);
    await until(() => r.text().includes('tick\ntick\n'), 'ticks arrive');
    conn.close();
    await r.done;
    assert.equal((await b.runtime.state(b.id))?.status, 'running');
    assert.equal(readExitCode(b.stateDir), undefined);
  } finally {
    await b.cleanup();
  }
});

test('attach works through a socket path longer than sun_path', async () => {
  const b = makeTestBundle(['sh', '-c', 'echo hi']);
  try {
    await launch({ id: b.id, bundleDir: b.bundleDir, runtime: b.runtime, stateDir: b.stateDir, logPath: b.logPath, terminal: false, stdin: false });
    const deep = join(b.dir, 'x'.repeat(60), 'y'.repeat(60));
    mkdirSync(deep, { recursive: true });
    symlinkSync(monitorPaths(b.stateDir).ioDir, join(deep, 'io'));
    const path = join(deep, 'io', 'attach');
    assert.ok(path.length > 108);
    const conn = openAttach(path, { stdin: false });
    const r = reader(conn.output);
    await startContainer(b.runtime, b.id);
    await r.done;
    assert.equal(r.text(), 'hi\n');
  } finally {
    await b.cleanup();
  }
});

test('watchExit reports an exit that happened before it was called (daemon restart)', async () => {
  const b = makeTestBundle(['sh', '-c', 'exit 7']);
  try {
    await launch({ id: b.id, bundleDir: b.bundleDir, runtime: b.runtime, stateDir: b.stateDir, logPath: b.logPath, terminal: false, stdin: false });
    await startContainer(b.runtime, b.id);
    await until(() => readExitCode(b.stateDir) !== undefined, 'exit file written');
    const info = await exited(b);
    assert.equal(info.exitCode, 7);
  } finally {
    await b.cleanup();
  }
});

test('watchExit notices a conmon that died without writing an exit code', async () => {
  const b = makeTestBundle(['sleep', '100']);
  try {
    const { conmonPid } = await launch({ id: b.id, bundleDir: b.bundleDir, runtime: b.runtime, stateDir: b.stateDir, logPath: b.logPath, terminal: false, stdin: false });
    await startContainer(b.runtime, b.id);
    const exit = exited(b);
    process.kill(conmonPid, 'SIGKILL');
    const info = await exit;
    assert.equal(info.monitorLost, true);
    assert.equal(info.exitCode, 255);
  } finally {
    await b.cleanup();
  }
});
