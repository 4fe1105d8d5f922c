import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachTarget, uniq, waitFor, type Target } from './harness.js';

async function runDetached(t: Target, args: string[]): Promise<string> {
  const r = await t.docker(['run', '-d', ...args]);
  assert.equal(r.code, 0, r.stderr);
  const id = r.stdout.trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  return id;
}

async function logsOf(t: Target, id: string, ...flags: string[]): Promise<string> {
  const r = await t.docker(['logs', ...flags, id]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

forEachTarget('container lifecycle', (t) => {
  test('-d, ps, logs --tail/-t, rm -f', async () => {
    const name = uniq('lc');
    const id = await runDetached(t(), ['--name', name, 'busybox', 'sh', '-c', 'for i in 1 2 3 4 5; do echo line$i; done; sleep 300']);
    const ps = await t().docker(['ps', '--format', '{{.ID}} {{.Names}} {{.Image}} {{.Status}}']);
    assert.match(ps.stdout, new RegExp(`^${id.slice(0, 12)} ${name} busybox Up `, 'm'));
    const all = await waitFor(async () => ((await logsOf(t(), name)).includes('line5') ? true : undefined), 10_000);
    assert.ok(all, 'logs never showed line5');
    assert.equal(await logsOf(t(), name), 'line1\nline2\nline3\nline4\nline5\n');
    assert.equal(await logsOf(t(), name, '--tail', '2'), 'line4\nline5\n');
    const stamped = (await logsOf(t(), name, '-t', '--tail', '1')).trim();
    assert.match(stamped, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z line5$/);
    const rm = await t().docker(['rm', '-f', name]);
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal(rm.stdout.trim(), name);
    const gone = await t().docker(['inspect', name]);
    assert.notEqual(gone.code, 0);
  });

  test('logs --since keeps only later lines', async () => {
    const name = uniq('since');
    await runDetached(t(), ['--name', name, 'busybox', 'sh', '-c', 'echo early; sleep 3; echo late; sleep 300']);
    await waitFor(async () => ((await logsOf(t(), name)).includes('early') ? true : undefined), 10_000);
    const mid = (Date.now() + 200) / 1000;
    await waitFor(async () => ((await logsOf(t(), name)).includes('late') ? true : undefined), 10_000);
    assert.equal(await logsOf(t(), name, '--since', mid.toFixed(3)), 'late\n');
    assert.equal(await logsOf(t(), name, '--since', String(Math.floor(mid) + 3600)), '');
    await t().docker(['rm', '-f', name]);
  });

  test('stop: SIGTERM ignored -> SIGKILL after the timeout, exit 137', async () => {
    const name = uniq('stop');
    await runDetached(t(), ['--name', name, 'busybox', 'sh', '-c', "trap '' TERM; sleep 300"]);
    const t0 = Date.now();
    const r = await t().docker(['stop', '-t', '2', name]);
    const took = Date.now() - t0;
    assert.equal(r.code, 0, r.stderr);
    assert.ok(took >= 1800 && took < 10_000, `stop took ${took} ms`);
    const code = await t().docker(['inspect', '--format', '{{.State.ExitCode}} {{.State.Status}}', name]);
    assert.equal(code.stdout.trim(), '137 exited');
    await t().docker(['rm', name]);
  });

  test('stop: a TERM handler exits quickly with its own code', async () => {
    const name = uniq('stopq');
    await runDetached(t(), ['--name', name, 'busybox', 'sh', '-c', "trap 'exit 0' TERM; while true; do sleep 0.1; done"]);
    const t0 = Date.now();
    const r = await t().docker(['stop', '-t', '10', name]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(Date.now() - t0 < 5000, 'stop waited for the timeout although the container handles TERM');
    const code = await t().docker(['inspect', '--format', '{{.State.ExitCode}}', name]);
    assert.equal(code.stdout.trim(), '0');
    await t().docker(['rm', name]);
  });

  test('kill -s delivers the signal; kill defaults to SIGKILL (137)', async () => {
    const name = uniq('kill');
    await runDetached(t(), ['--name', name, 'busybox', 'sh', '-c', "trap 'echo got-usr1' USR1; echo ready; while true; do sleep 0.1; done"]);
    await waitFor(async () => ((await logsOf(t(), name)).includes('ready') ? true : undefined), 10_000);
    const k = await t().docker(['kill', '-s', 'USR1', name]);
    assert.equal(k.code, 0, k.stderr);
    const got = await waitFor(async () => ((await logsOf(t(), name)).includes('got-usr1') ? true : undefined), 10_000);
    assert.ok(got, 'USR1 never reached the container');
    assert.equal((await t().docker(['kill', name])).code, 0);
    const w = await t().docker(['wait', name]);
    assert.equal(w.stdout.trim(), '137');
    const notRunning = await t().docker(['kill', name]);
    assert.notEqual(notRunning.code, 0);
    assert.match(notRunning.stderr, /is not running/);
    await t().docker(['rm', name]);
  });

  test('wait returns the exit code', async () => {
    const id = await runDetached(t(), ['busybox', 'sh', '-c', 'sleep 1; exit 5']);
    const w = await t().docker(['wait', id]);
    assert.equal(w.code, 0, w.stderr);
    assert.equal(w.stdout, '5\n');
    await t().docker(['rm', id]);
  });

  test('--name conflict uses Docker\'s wording; rename frees the name', async () => {
    const name = uniq('dup');
    const id = (await t().docker(['create', '--name', name, 'busybox', 'true'])).stdout.trim();
    const again = await t().docker(['run', '--name', name, 'busybox', 'true']);
    assert.equal(again.code, 125);
    assert.ok(
      again.stderr.includes(
        `Conflict. The container name "/${name}" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`,
      ),
      again.stderr,
    );
    const other = uniq('renamed');
    const rn = await t().docker(['rename', name, other]);
    assert.equal(rn.code, 0, rn.stderr);
    assert.equal((await t().docker(['inspect', '--format', '{{.Name}}', id])).stdout.trim(), `/${other}`);
    const reuse = await t().docker(['create', '--name', name, 'busybox', 'true']);
    assert.equal(reuse.code, 0, reuse.stderr);
    await t().docker(['rm', name, other]);
  });

  test('ps filters (status, name, label, ancestor), -q, --no-trunc', async () => {
    const p = uniq('flt');
    const done = `${p}-done`;
    const live = `${p}-live`;
    assert.equal((await t().docker(['run', '--name', done, '-l', `grp=${p}`, '-l', 'role=a', 'busybox', 'true'])).code, 0);
    const liveId = await runDetached(t(), ['--name', live, '-l', `grp=${p}`, '-l', 'role=b', 'busybox', 'sleep', '300']);
    const names = async (...args: string[]) =>
      (await t().docker(['ps', '--format', '{{.Names}}', ...args])).stdout.trim().split('\n').filter(Boolean).sort();
    assert.deepEqual(await names('-a', '--filter', `name=${p}`), [done, live]);
    assert.deepEqual(await names('--filter', `name=${p}`), [live]);
    assert.deepEqual(await names('-a', '--filter', `name=${p}`, '--filter', 'status=exited'), [done]);
    assert.deepEqual(await names('-a', '--filter', `label=grp=${p}`, '--filter', 'label=role=b'), [live]);
    assert.deepEqual(await names('-a', '--filter', `label=grp=${p}`, '--filter', 'ancestor=busybox'), [done, live]);
    assert.deepEqual(await names('-a', '--filter', `label=grp=${p}`, '--filter', 'ancestor=nosuchimage'), []);
    const q = (await t().docker(['ps', '-q', '--filter', `name=${live}`])).stdout.trim();
    assert.equal(q, liveId.slice(0, 12));
    const full = (await t().docker(['ps', '-q', '--no-trunc', '--filter', `name=${live}`])).stdout.trim();
    assert.equal(full, liveId);
    await t().docker(['rm', '-f', done, live]);
  });

  test('inspect has Docker\'s shape; --format reads fields', async () => {
    const name = uniq('insp');
    assert.equal((await t().docker(['run', '--name', name, 'busybox', 'sh', '-c', 'exit 3'])).code, 3);
    const r = await t().docker(['inspect', name]);
    assert.equal(r.code, 0, r.stderr);
    const arr = JSON.parse(r.stdout);
    assert.ok(Array.isArray(arr) && arr.length === 1);
    const c = arr[0];
    assert.match(c.Id, /^[0-9a-f]{64}$/);
    assert.equal(c.Name, `/${name}`);
    assert.equal(c.Path, 'sh');
    assert.deepEqual(c.Args, ['-c', 'exit 3']);
    assert.match(c.Created, /^\d{4}-\d\d-\d\dT/);
    assert.match(c.Image, /^sha256:[0-9a-f]{64}$/);
    assert.equal(c.State.Status, 'exited');
    assert.equal(c.State.Running, false);
    assert.equal(c.State.ExitCode, 3);
    assert.match(c.State.FinishedAt, /^\d{4}-\d\d-\d\dT/);
    assert.equal(c.Config.Image, 'busybox');
    assert.deepEqual(c.Config.Cmd, ['sh', '-c', 'exit 3']);
    assert.equal(typeof c.HostConfig, 'object');
    assert.ok('NetworkMode' in c.HostConfig);
    assert.ok(Array.isArray(c.Mounts));
    assert.equal(c.GraphDriver.Name, 'overlay2');
    assert.equal(typeof c.NetworkSettings, 'object');
    const f = await t().docker(['inspect', '--format', '{{.State.ExitCode}}', name]);
    assert.equal(f.stdout, '3\n');
    await t().docker(['rm', name]);
  });

  test('start re-runs an exited container; restart keeps the id', async () => {
    const name = uniq('again');
    await t().docker(['create', '--name', name, 'busybox', 'sh', '-c', 'echo run']);
    const s = await t().docker(['start', '-a', name]);
    assert.equal(s.stdout, 'run\n', s.stderr);
    const s2 = await t().docker(['start', '-a', name]);
    assert.equal(s2.stdout, 'run\n', s2.stderr);
    assert.equal(await logsOf(t(), name), 'run\nrun\n');
    await t().docker(['rm', name]);
  });

  test('rm of a running container without -f is refused', async () => {
    const name = uniq('busy');
    await runDetached(t(), ['--name', name, 'busybox', 'sleep', '300']);
    const r = await t().docker(['rm', name]);
    assert.notEqual(r.code, 0);
    // Docker <= 24: "You cannot remove a running container <id>. Stop the container before attempting removal or force remove"
    // Docker >= 25: "cannot remove container "/<name>": container is running: stop the container before removing or force remove"
    assert.match(
      r.stderr,
      /You cannot remove a running container [0-9a-f]{64}\. Stop the container before attempting removal or force remove|cannot remove container "\/[^"]+": container is running: stop the container before removing or force remove/,
    );
    await t().docker(['rm', '-f', name]);
  });
});
