import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startContainer } from './conmon-monitor.js';
import { execProcess } from './exec-session.js';
import { RuntimeStartError } from './runtime-error.js';
import { makeTestBundle } from './test-support.js';

const proc = (args: string[]) => ({ args, env: ['PATH=/bin'], cwd: '/', user: { uid: 0, gid: 0 } });

test('exec: output streams, stdin, exit codes, tty resize, not found', async () => {
  const b = makeTestBundle(['sleep', '100']);
  try {
    await launch({ id: b.id, bundleDir: b.bundleDir, runtime: b.runtime, stateDir: b.stateDir, logPath: b.logPath, terminal: false, stdin: false });
    await startContainer(b.runtime, b.id);

    const ex = await execProcess({ containerId: b.id, execId: 'e1', runtime: b.runtime, stateDir: b.stateDir, process: proc(['sh', '-c', 'echo o; echo e >&2; exit 9']), terminal: false, stdin: false });
    assert.ok(ex.pid > 0);
    const got = { stdout: '', stderr: '' };
    for await (const c of ex.io!.output) got[c.stream] += c.data.toString();
    assert.deepEqual(got, { stdout: 'o\n', stderr: 'e\n' });
    assert.equal(await ex.exit, 9);
    ex.cleanup();

    const cat = await execProcess({ containerId: b.id, execId: 'e2', runtime: b.runtime, stateDir: b.stateDir, process: proc(['cat']), terminal: false, stdin: true });
    let echoed = '';
    const reading = (async () => { for await (const c of cat.io!.output) echoed += c.data.toString(); })();
    cat.io!.stdin!.end('piped\n');
    await reading;
    assert.equal(echoed, 'piped\n');
    assert.equal(await cat.exit, 0);

    const tty = await execProcess({ containerId: b.id, execId: 'e3', runtime: b.runtime, stateDir: b.stateDir, process: proc(['sh', '-c', 'read x; stty size']), terminal: true, stdin: true });
    let seen = '';
    const r3 = (async () => { for await (const c of tty.io!.output) seen += c.data.toString(); })();
    tty.resize(33, 77);
    await new Promise((r) => setTimeout(r, 200));
    tty.io!.stdin!.write('\r');
    assert.equal(await tty.exit, 0);
    await r3;
    assert.match(seen, /33 77/);

    await assert.rejects(
      execProcess({ containerId: b.id, execId: 'e4', runtime: b.runtime, stateDir: b.stateDir, process: proc(['nosuchcmd']), terminal: false, stdin: false }),
      (err: unknown) => err instanceof RuntimeStartError && err.exitCode === 127 && /executable file not found/.test(err.message),
    );
  } finally {
    await b.cleanup();
  }
});
