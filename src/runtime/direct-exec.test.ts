import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { launch, startContainer } from './conmon-monitor.js';
import { directExec } from './direct-exec.js';
import { runExec } from './exec-session.js';
import { RuntimeStartError } from './runtime-error.js';
import { makeTestBundle } from './test-support.js';

const proc = (args: string[]) => ({ args, env: ['PATH=/bin'], cwd: '/', user: { uid: 0, gid: 0 } });

async function collect(ex: Awaited<ReturnType<typeof directExec>>): Promise<{ stdout: string; stderr: string }> {
  const got = { stdout: '', stderr: '' };
  for await (const c of ex.io!.output) got[c.stream] += c.data.toString();
  return got;
}

test('direct exec: streams apart, exit codes, signals, stdin, pid, a command that cannot start', async () => {
  const b = makeTestBundle(['sleep', '100']);
  try {
    await launch({ id: b.id, bundleDir: b.bundleDir, runtime: b.runtime, stateDir: b.stateDir, logPath: b.logPath, terminal: false, stdin: false });
    await startContainer(b.runtime, b.id);
    const base = { containerId: b.id, runtime: b.runtime, stateDir: b.stateDir, terminal: false };

    // stderr before the runtime wrote its pid file is held back, then delivered as stderr
    const ex = await directExec({ ...base, execId: 'd1', process: proc(['sh', '-c', 'echo e >&2; echo o; exit 9']), stdin: false });
    assert.ok(ex.pid > 0);
    assert.deepEqual(await collect(ex), { stdout: 'o\n', stderr: 'e\n' });
    assert.equal(await ex.exit, 9);
    ex.cleanup();
    assert.equal(existsSync(join(b.stateDir, 'exec', 'd1')), false);

    const killed = await directExec({ ...base, execId: 'd2', process: proc(['sh', '-c', 'kill -9 $$']), stdin: false });
    await collect(killed);
    assert.equal(await killed.exit, 137);

    const cat = await directExec({ ...base, execId: 'd3', process: proc(['cat']), stdin: true });
    const reading = collect(cat);
    cat.io!.stdin!.end('piped\n');
    assert.deepEqual(await reading, { stdout: 'piped\n', stderr: '' });
    assert.equal(await cat.exit, 0);

    // a large output arrives whole and in order
    const big = await directExec({ ...base, execId: 'd4', process: proc(['sh', '-c', 'seq 1 200000']), stdin: false });
    const out = (await collect(big)).stdout.split('\n');
    assert.equal(out.length, 200001);
    assert.equal(out[199999], '200000');
    assert.equal(await big.exit, 0);

    // a detached client: the process runs on (its output drained, no SIGPIPE)
    const left = await directExec({ ...base, execId: 'd8', process: proc(['sh', '-c', 'sleep 0.3; seq 1 50000; exit 5']), stdin: true });
    left.io!.close();
    assert.equal(await left.exit, 5);

    await assert.rejects(
      directExec({ ...base, execId: 'd5', process: proc(['nosuchcmd']), stdin: false }),
      (err: unknown) => err instanceof RuntimeStartError && err.exitCode === 127 && /exec: "nosuchcmd": executable file not found in \$PATH/.test(err.message),
    );
    assert.equal(existsSync(join(b.stateDir, 'exec', 'd5')), false);

    // runExec: attached without a terminal goes direct, the rest through conmon
    const viaRun = await runExec({ ...base, execId: 'd6', process: proc(['echo', 'hi']), stdin: false });
    assert.deepEqual(await collect(viaRun), { stdout: 'hi\n', stderr: '' });
    assert.equal(existsSync(join(b.stateDir, 'exec', 'd6', 'conmon.log')), false);
    const detached = await runExec({ ...base, execId: 'd7', process: proc(['true']), stdin: false, attach: false });
    assert.equal(await detached.exit, 0);
    assert.equal(existsSync(join(b.stateDir, 'exec', 'd7', 'conmon.log')), true);
  } finally {
    await b.cleanup();
  }
});
