import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn as cpSpawn, execFile } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import koffi from 'koffi';
import { exitCodeOf, runChild, spawnChild } from './spawn.js';

function text(s: Readable | Writable | null): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    (s as Readable).on('data', (d: Buffer) => (out += d.toString()));
    (s as Readable).on('close', () => resolve(out));
  });
}

test('spawn: exit codes and signals', async () => {
  assert.deepEqual(await (await spawnChild('/bin/sh', ['-c', 'exit 7'])).exit, { code: 7, signal: null });
  assert.deepEqual(await (await spawnChild('/bin/true', [])).exit, { code: 0, signal: null });
  const killed = await (await spawnChild('/bin/sh', ['-c', 'kill -TERM $$; sleep 5'])).exit;
  assert.deepEqual(killed, { code: null, signal: 'SIGTERM' as const });
  assert.equal(exitCodeOf(killed), 143);
  const c = await spawnChild('/bin/sleep', ['10']);
  c.kill('SIGKILL');
  assert.deepEqual(await c.exit, { code: null, signal: 'SIGKILL' });
  c.kill('SIGKILL'); // reaped: a no-op, never another process's pid
});

test('spawn: stdio pipes both ways, extra fds, an fd of ours, cwd, env, setsid', async () => {
  const out = await runChild('/bin/sh', ['-c', 'echo out; echo err >&2; pwd; echo "$FOO"; exit 3'], { cwd: '/tmp', env: { FOO: 'bar', PATH: '/bin:/usr/bin' } });
  assert.deepEqual(out, { code: 3, signal: null, stdout: 'out\n/tmp\nbar\n', stderr: 'err\n' });

  const cat = await spawnChild('/bin/cat', [], { stdio: ['pipe', 'pipe', 'ignore'] });
  const got = text(cat.stdout);
  cat.stdin!.end('through the pipe\n');
  assert.equal(await got, 'through the pipe\n');
  assert.equal((await cat.closed).code, 0);

  // fd 3 written by the child, fd 4 read by it (conmon's sync and start pipes)
  const fds = await spawnChild('/bin/sh', ['-c', 'read x <&4; echo "got $x" >&3'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'input'] });
  const sync = text(fds.stdio[3]!);
  (fds.stdio[4] as Writable).end('go\n');
  assert.equal(await sync, 'got go\n');
  assert.equal((await fds.exit).code, 0);

  const dir = mkdtempSync(join(tmpdir(), 'berth-spawn-'));
  try {
    const fd = openSync(join(dir, 'err'), 'a');
    const c = await spawnChild('/bin/sh', ['-c', 'echo to-the-file >&2'], { stdio: ['ignore', 'ignore', fd] });
    closeSync(fd); // the child has its own copy
    assert.equal((await c.exit).code, 0);
    assert.equal(readFileSync(join(dir, 'err'), 'utf8'), 'to-the-file\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const detached = await runChild('/bin/sh', ['-c', 'cut -d" " -f6 /proc/$$/stat; echo $$']);
  const [sid, pid] = detached.stdout.trim().split('\n');
  assert.notEqual(sid, pid, 'not detached: the session of berthd');
  const own = await spawnChild('/bin/sh', ['-c', 'cut -d" " -f6 /proc/$$/stat; echo $$'], { stdio: ['ignore', 'pipe', 'ignore'], detached: true });
  const [sid2, pid2] = (await text(own.stdout)).trim().split('\n');
  assert.equal(sid2, pid2, 'detached: a session of its own');
});

test('spawn: the child gets only its stdio fds, no blocked or ignored signal', async () => {
  // an fd without close-on-exec (Node opens every fd with it; libc calls through koffi may not)
  const libc = koffi.load('libc.so.6');
  const dup = libc.func('int dup(int fd)');
  const src = openSync('/dev/null', 'r');
  const leaky = dup(src) as number;
  closeSync(src);
  try {
    assert.ok(leaky > 2);
    const probe = ['-c', `[ -e /proc/self/fd/${leaky} ] && echo open || echo closed`];
    // child_process (libuv) passes it on: the check below can fail
    const viaLibuv = await new Promise<string>((resolve) => execFile('/bin/sh', probe, (_e, stdout) => resolve(stdout.trim())));
    assert.equal(viaLibuv, 'open');
    assert.equal((await runChild('/bin/sh', probe)).stdout.trim(), 'closed');
  } finally {
    closeSync(leaky);
  }
  // Node ignores SIGPIPE; a child must not inherit that
  const status = (await runChild('/bin/cat', ['/proc/self/status'])).stdout;
  assert.match(status, /^SigIgn:\s+0+$/m);
  assert.match(status, /^SigBlk:\s+0+$/m);
  // `yes` dies of SIGPIPE when its reader goes
  const yes = await runChild('/bin/sh', ['-c', '(yes; echo "yes: $?" >&2) | head -n 1 >/dev/null']);
  assert.equal(yes.stderr, 'yes: 141\n');
});

test('spawn: a program that cannot run fails as child_process reports it', async () => {
  const viaNode = await new Promise<NodeJS.ErrnoException & { path?: string }>((resolve) => cpSpawn('/nonexistent/prog', ['a']).on('error', resolve));
  let ours: (NodeJS.ErrnoException & { path?: string; spawnargs?: string[] }) | undefined;
  try {
    await spawnChild('/nonexistent/prog', ['a'], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    ours = err as typeof ours;
  }
  assert.ok(ours);
  assert.equal(ours.code, 'ENOENT');
  assert.equal(ours.code, viaNode.code);
  assert.equal(ours.errno, viaNode.errno);
  assert.equal(ours.syscall, viaNode.syscall);
  assert.equal(ours.path, viaNode.path);
  assert.equal(ours.message, viaNode.message);
  assert.deepEqual(ours.spawnargs, ['a']);
  await assert.rejects(runChild('/nonexistent/prog', []), { code: 'ENOENT' });
  await assert.rejects(runChild('/etc/passwd', []), { code: 'EACCES' });
  // a bad cwd is reported too (child_process says ENOENT as well)
  await assert.rejects(runChild('/bin/true', [], { cwd: '/nonexistent-dir' }), { code: 'ENOENT' });
});

test('spawn: side by side with child_process, each reaps only its own', async () => {
  const ours = Array.from({ length: 20 }, (_, i) => spawnChild('/bin/sh', ['-c', `sleep 0.0${i % 5}; exit ${i}`]).then((c) => c.exit));
  const theirs = Array.from({ length: 10 }, (_, i) => new Promise<number | null>((resolve) => cpSpawn('/bin/sh', ['-c', `exit ${i + 100}`]).on('exit', resolve)));
  assert.deepEqual((await Promise.all(ours)).map((s) => s.code), Array.from({ length: 20 }, (_, i) => i));
  assert.deepEqual(await Promise.all(theirs), Array.from({ length: 10 }, (_, i) => i + 100));
});

test('spawn: a large output arrives whole; maxBuffer', async () => {
  const r = await runChild('/bin/sh', ['-c', 'seq 1 200000']);
  const lines = r.stdout.split('\n');
  assert.equal(lines.length, 200001);
  assert.equal(lines[199999], '200000');
  await assert.rejects(runChild('/bin/sh', ['-c', 'seq 1 200000'], { maxBuffer: 1000 }), RangeError);
});
