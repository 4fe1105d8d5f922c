import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DOCKER_CLI, forEachTarget, runInPty, uniq, waitFor } from './harness.js';

/** `docker exec` / `docker top` through the official CLI (Testcontainers and compose users lean on exec). */
forEachTarget('docker exec', (t) => {
  const name = uniq('ex');
  before(async () => {
    const r = await t().docker(['run', '-d', '--name', name, '-e', 'FROM_RUN=1', 'busybox', 'sleep', '300']);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => {
    try {
      await t().docker(['rm', '-f', name]);
    } catch {
      // target already torn down
    }
  });

  test('output, separate stderr, exit code', async () => {
    const r = await t().docker(['exec', name, 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.code, 3);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
  });

  test('-i pipes stdin; -u -w -e; container env is inherited', async () => {
    const piped = await t().docker(['exec', '-i', name, 'cat'], { input: 'via stdin\n' });
    assert.equal(piped.code, 0, piped.stderr);
    assert.equal(piped.stdout, 'via stdin\n');
    const r = await t().docker(['exec', '-u', 'nobody', '-w', '/tmp', '-e', 'Z=1', name, 'sh', '-c', 'id -u; pwd; echo $Z$FROM_RUN']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '65534\n/tmp\n11\n');
  });

  test('missing command: 126 with the runtime error', async () => {
    const r = await t().docker(['exec', name, 'no-such-cmd']);
    assert.equal(r.code, 126);
    assert.match(r.stdout + r.stderr, /OCI runtime exec failed: exec failed: unable to start container process: exec: "no-such-cmd": executable file not found in \$PATH: unknown/);
  });

  test('-d returns at once; ExecIDs lists the running exec; top shows it', async () => {
    const d = await t().docker(['exec', '-d', name, 'sleep', '7']);
    assert.equal(d.code, 0, d.stderr);
    assert.equal(d.stdout, '');
    const ids = await t().docker(['inspect', '-f', '{{len .ExecIDs}}', name]);
    assert.equal(ids.stdout.trim(), '1');
    const top = await waitFor(async () => {
      const r = await t().docker(['top', name]);
      return r.code === 0 && /sleep 7/.test(r.stdout) ? r : undefined;
    }, 5000);
    assert.ok(top, 'docker top never showed the exec');
    assert.match(top.stdout, /^UID +PID +PPID +C +STIME +TTY +TIME +CMD$/m);
    assert.match(top.stdout, /sleep 300/);
    const custom = await t().docker(['top', name, '-o', 'pid,args']);
    assert.match(custom.stdout, /^PID +COMMAND$/m);
  });

  test('-it gets a terminal of the client size', async () => {
    const r = await runInPty(`${DOCKER_CLI} exec -it ${name} sh -c 'sleep 1; stty size; tty; exit 2'`, { env: t().env(), rows: 21, cols: 67 });
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.stdout.replace(/\r/g, ''), /21 67\n\/dev\/pts\/\d+\n/);
  });

  test('-it: the terminal has the client size from the start (ConsoleSize), not only after a resize', async () => {
    // Docker 23+ sizes an exec's tty from the create request's ConsoleSize before the process
    // runs (runc does it inside the container); the Debian 20.10 oracle predates ConsoleSize
    // for exec and races with the CLI's first resize, so this runs against berth only.
    if (t().isDocker) return;
    for (let i = 0; i < 5; i++) {
      const r = await runInPty(`${DOCKER_CLI} exec -it ${name} stty size`, { env: t().env(), rows: 23, cols: 71 });
      assert.equal(r.code, 0, `try ${i}: ${r.stdout}`);
      assert.match(r.stdout.replace(/\r/g, ''), /^(\^@)?23 71\n/, `try ${i}`);
    }
  });

  test('stats --no-stream reports the running container', async () => {
    const r = await t().docker(['stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}} {{.MemUsage}}', name]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^${name} [1-9]\\d* [0-9.]+[KMG]i?B / [0-9.]+[KMG]i?B\n$`));
  });

  test('exec in a stopped container is a conflict', async () => {
    const stopped = uniq('exs');
    assert.equal((await t().docker(['create', '--name', stopped, 'busybox', 'true'])).code, 0);
    const r = await t().docker(['exec', stopped, 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Error response from daemon: Container [0-9a-f]{64} is not running/);
    await t().docker(['rm', stopped]);
  });
});
