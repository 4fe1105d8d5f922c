import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startContainer } from './conmon-monitor.js';
import { cleanRuntimeMessage } from './oci-runtime.js';
import { makeTestBundle } from './test-support.js';

for (const name of ['crun', 'runc'] as const) {
  test(`${name}: state, ps, pause/resume, kill, delete`, async () => {
    const b = makeTestBundle(['sleep', '100'], { runtime: name });
    try {
      assert.equal(await b.runtime.state(b.id), undefined);
      const { pid } = await launch({ id: b.id, bundleDir: b.bundleDir, runtime: b.runtime, stateDir: b.stateDir, logPath: b.logPath, terminal: false, stdin: false });
      assert.equal((await b.runtime.state(b.id))?.status, 'created');
      await startContainer(b.runtime, b.id);
      const st = await b.runtime.state(b.id);
      assert.equal(st?.status, 'running');
      assert.equal(st?.pid, pid);
      assert.deepEqual(await b.runtime.ps(b.id), [pid]);
      await b.runtime.pause(b.id);
      assert.equal((await b.runtime.state(b.id))?.status, 'paused');
      await b.runtime.resume(b.id);
      assert.equal((await b.runtime.state(b.id))?.status, 'running');
      await b.runtime.kill(b.id, 'SIGKILL');
      for (let i = 0; i < 100 && (await b.runtime.state(b.id))?.status !== 'stopped'; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal((await b.runtime.state(b.id))?.status, 'stopped');
      await b.runtime.delete(b.id);
      assert.equal(await b.runtime.state(b.id), undefined);
      await b.runtime.delete(b.id); // unknown: no error
      await assert.rejects(b.runtime.start(b.id), (err: Error & { kind?: string }) => err.kind === 'not-found');
    } finally {
      await b.cleanup();
    }
  });
}

test('version and message cleanup', async () => {
  const b = makeTestBundle(['true']);
  try {
    assert.match(await b.runtime.version(), /^crun version \d/);
  } finally {
    await b.cleanup();
  }
  assert.equal(cleanRuntimeMessage('time="x" level=error msg="container \\"a\\" does not exist"\n'), 'container "a" does not exist');
  assert.equal(cleanRuntimeMessage('plain error\n'), 'plain error');
});
