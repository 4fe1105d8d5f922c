import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { attach, isAlive, launch, readExitCode, readExitInfo, resize, startContainer, watchExit, type ExitInfo } from './conmon-monitor.js';
import type { AttachChunk } from './attach.js';
import { readLog } from './log-reader.js';
import { RuntimeStartError } from './runtime-error.js';
import { makeTestBundle, type TestBundle } from './test-support.js';

async function collect(output: AsyncIterable<AttachChunk>): Promise<{ stdout: string; stderr: string }> {
  const r = { stdout: '', stderr: '' };
  for await (const c of output) r[c.stream] += c.data.toString();
  return r;
}

function exited(b: TestBundle, timeoutMs = 10_000): Promise<ExitInfo> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('container did not exit')), timeoutMs);
    watchExit(b.stateDir, (info) => {
      clearTimeout(t);
      resolve(info);
    }, { pollMs: 100 });
  });
}

async function launchBundle(b: TestBundle, o: { terminal?: boolean; stdin?: boolean; stdinOnce?: boolean } = {}) {
  return launch({ id: b.id, bundleDir: b.bundleDir, runtime: b.runtime, stateDir: b.stateDir, logPath: b.logPath, terminal: !!o.terminal, stdin: !!o.stdin, stdinOnce: o.stdinOnce });
}

async function logText(b: TestBundle, stream?: 'stdout' | 'stderr'): Promise<string> {
  let s = '';
  for await (const c of readLog(b.logPath, stream ? { [stream]: true } : {})) s += c.data.toString();
  return s;
}

test('exit code, stdout/stderr separation through attach and in the log', async () => {
  const b = makeTestBundle(['sh', '-c', 'echo out1; echo err1 >&2; echo out2; exit 3']);
  try {
    const { conmonPid, pid } = await launchBundle(b);
    assert.ok(conmonPid > 0 && pid > 0);
    assert.equal((await b.runtime.state(b.id))?.status, 'created');
    assert.equal(readExitCode(b.stateDir), undefined);
    const conn = attach(b.stateDir, { stdin: false });
    const out = collect(conn.output);
    const exit = exited(b);
    await startContainer(b.runtime, b.id);
    assert.deepEqual(await out, { stdout: 'out1\nout2\n', stderr: 'err1\n' });
    const info = await exit;
    assert.equal(info.exitCode, 3);
    assert.equal(info.oomKilled, false);
    assert.equal(readExitCode(b.stateDir), 3);
    assert.equal((await b.runtime.state(b.id))?.status, 'stopped');
    assert.equal(await logText(b, 'stdout'), 'out1\nout2\n');
    assert.equal(await logText(b, 'stderr'), 'err1\n');
  } finally {
    await b.cleanup();
  }
});

test('all output is delivered before the attach stream ends', async () => {
  const b = makeTestBundle(['seq', '1', '30000']);
  try {
    await launchBundle(b);
    const conn = attach(b.stateDir, { stdin: false });
    const out = collect(conn.output);
    await startContainer(b.runtime, b.id);
    const expected = Array.from({ length: 30000 }, (_, i) => `${i + 1}\n`).join('');
    assert.equal((await out).stdout, expected);
    assert.equal((await exited(b)).exitCode, 0);
    assert.equal(await logText(b), expected);
  } finally {
    await b.cleanup();
  }
});

test('stdin is piped and ending it closes the container stdin', async () => {
  const b = makeTestBundle(['cat']);
  try {
    await launchBundle(b, { stdin: true, stdinOnce: true });
    const conn = attach(b.stateDir, { stdin: true });
    const out = collect(conn.output);
    await startContainer(b.runtime, b.id);
    const input = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(20)}\n`).join(''); // > 8192 bytes
    conn.stdin!.end(input);
    assert.equal((await out).stdout, input);
    assert.equal((await exited(b)).exitCode, 0);
  } finally {
    await b.cleanup();
  }
});

test('a tty container: output arrives and resize changes stty size', async () => {
  const b = makeTestBundle(['sh', '-c', 'stty size; read x; stty size; exit 5'], { terminal: true });
  try {
    await launchBundle(b, { terminal: true, stdin: true, stdinOnce: true });
    const conn = attach(b.stateDir, { stdin: true });
    let seen = '';
    const waitFor = async (text: string): Promise<void> => {
      for (let i = 0; i < 100 && !seen.includes(text); i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(seen.includes(text), `expected ${JSON.stringify(text)} in ${JSON.stringify(seen)}`);
    };
    const reading = (async () => {
      for await (const c of conn.output) {
        assert.equal(c.stream, 'stdout');
        seen += c.data.toString();
      }
    })();
    resize(b.stateDir, 30, 100);
    await new Promise((r) => setTimeout(r, 200));
    await startContainer(b.runtime, b.id);
    await waitFor('30 100');
    resize(b.stateDir, 40, 120);
    await new Promise((r) => setTimeout(r, 200));
    conn.stdin!.write('go\r');
    await waitFor('40 120');
    await reading;
    assert.equal((await exited(b)).exitCode, 5);
  } finally {
    await b.cleanup();
  }
});

test('kill gives exit code 137', async () => {
  const b = makeTestBundle(['sleep', '100']);
  try {
    const { conmonPid } = await launchBundle(b);
    await startContainer(b.runtime, b.id);
    assert.equal((await b.runtime.state(b.id))?.status, 'running');
    assert.ok(isAlive(conmonPid));
    const exit = exited(b);
    await b.runtime.kill(b.id, 'SIGKILL');
    const info = await exit;
    assert.equal(info.exitCode, 137);
    assert.ok(info.finishedAt.getTime() > Date.now() - 10_000);
    assert.equal(readExitInfo(b.stateDir)?.exitCode, 137);
  } finally {
    await b.cleanup();
  }
});

test('a missing command fails launch with exit code 127 and Docker wording', async () => {
  const b = makeTestBundle(['nosuchcmd']);
  try {
    await assert.rejects(launchBundle(b), (err: unknown) => {
      assert.ok(err instanceof RuntimeStartError);
      assert.equal(err.exitCode, 127);
      assert.match(err.message, /exec: "nosuchcmd": executable file not found in \$PATH/);
      return true;
    });
    assert.equal(await b.runtime.state(b.id), undefined);
  } finally {
    await b.cleanup();
  }
});

test('the container survives the process that launched conmon', async () => {
  const b = makeTestBundle(['sleep', '100']);
  try {
    const helper = fileURLToPath(new URL('./test-launch-helper.js', import.meta.url));
    const r = spawnSync(process.execPath, [helper, JSON.stringify({ id: b.id, bundleDir: b.bundleDir, stateDir: b.stateDir, logPath: b.logPath, runtimeRoot: b.runtime.root })], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 0, r.stderr);
    const { conmonPid, pid } = JSON.parse(r.stdout) as { conmonPid: number; pid: number };
    assert.ok(isAlive(conmonPid), 'conmon outlived its launcher');
    const st = await b.runtime.state(b.id);
    assert.equal(st?.status, 'running');
    assert.equal(st?.pid, pid);
    const exit = exited(b);
    await b.runtime.kill(b.id, 'KILL');
    assert.equal((await exit).exitCode, 137);
  } finally {
    await b.cleanup();
  }
});
