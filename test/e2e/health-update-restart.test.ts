/**
 * docker update, health checks and restart policies: the same scenarios through the docker CLI
 * against berth and the Docker oracle, then berth-only ones that restart berthd (probes resume,
 * restart policies at boot, `--rm` containers a crash left behind) and the berth CLI's `update`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachTarget, runCommand, sleep, uniq, waitFor, type RunResult, type Target } from './harness.js';
import { missingClient } from './clients/probe-runner.js';

const NONE = ['--network', 'none'];
const MiB = 1024 * 1024;

async function ok(t: Target, args: string[]): Promise<RunResult> {
  const r = await t.docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r;
}

async function inspect(t: Target, ref: string, format: string): Promise<string> {
  return (await ok(t, ['inspect', '-f', format, ref])).stdout.trim();
}

/** A cgroup v1 file as the container sees it (its own cgroup is mounted at /sys/fs/cgroup/<controller>). */
async function cgroup(t: Target, ref: string, file: string): Promise<string> {
  return (await ok(t, ['exec', ref, 'cat', `/sys/fs/cgroup/${file}`])).stdout.trim();
}

const now = (): string => (Date.now() / 1000).toFixed(3);

async function events(t: Target, since: string, filters: string[], format = '{{.Action}}'): Promise<string[]> {
  const args = ['events', '--since', since, '--until', now(), '--format', format];
  for (const f of filters) args.push('--filter', f);
  return (await ok(t, args)).stdout.split('\n').filter(Boolean);
}

const cgroupV1 = existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes') || existsSync('/sys/fs/cgroup/memory');

forEachTarget('docker update, health checks, restart policies', (t) => {
  test('update changes memory, CPU and pids limits of a running container live and keeps them', { skip: !cgroupV1 && 'reads cgroup v1 files', timeout: 60_000 }, async () => {
    const c = uniq('upd');
    const t0 = now();
    await ok(t(), ['run', '-d', ...NONE, '--name', c, '-m', '64m', 'busybox', 'sleep', '300']);
    assert.equal(await inspect(t(), c, '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}'), `${64 * MiB} ${128 * MiB}`);
    assert.equal((await ok(t(), ['update', '-m', '100m', c])).stdout, `${c}\n`);
    assert.equal(await cgroup(t(), c, 'memory/memory.limit_in_bytes'), String(100 * MiB));
    const tooBig = await t().docker(['update', '-m', '200m', c]);
    assert.equal(tooBig.code, 1);
    assert.match(tooBig.stderr, /^Error response from daemon: Cannot update container [0-9a-f]{64}: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time\n$/);
    await ok(t(), ['update', '-m', '200m', '--memory-swap', '300m', c]);
    assert.equal(await cgroup(t(), c, 'memory/memory.limit_in_bytes'), String(200 * MiB));
    assert.equal(await cgroup(t(), c, 'memory/memory.memsw.limit_in_bytes'), String(300 * MiB));
    await ok(t(), ['update', '--cpus', '0.5', '--cpu-shares', '512', '--cpuset-cpus', '0', '--pids-limit', '50', '--memory-reservation', '20m', c]);
    assert.equal(
      await inspect(t(), c, '{{.HostConfig.NanoCpus}} {{.HostConfig.CpuShares}} {{.HostConfig.CpusetCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.MemoryReservation}}'),
      `500000000 512 0 50 ${20 * MiB}`,
    );
    assert.equal(await cgroup(t(), c, 'cpu/cpu.cfs_quota_us'), '50000');
    assert.equal(await cgroup(t(), c, 'cpu/cpu.shares'), '512');
    assert.equal(await cgroup(t(), c, 'cpuset/cpuset.cpus'), '0');
    assert.equal(await cgroup(t(), c, 'pids/pids.max'), '50');
    assert.equal(await cgroup(t(), c, 'memory/memory.soft_limit_in_bytes'), String(20 * MiB));
    await ok(t(), ['update', '--pids-limit', '-1', c]);
    assert.equal(await cgroup(t(), c, 'pids/pids.max'), 'max');
    assert.equal(await inspect(t(), c, '{{.HostConfig.PidsLimit}}'), '0');
    const period = await t().docker(['update', '--cpu-period', '50000', c]);
    assert.match(period.stderr, /Cannot update container [0-9a-f]{64}: Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set/);
    await ok(t(), ['stop', '-t', '0', c]);
    await ok(t(), ['start', c]);
    assert.equal(await cgroup(t(), c, 'memory/memory.limit_in_bytes'), String(200 * MiB), 'kept for the next start');
    assert.equal(await cgroup(t(), c, 'cpu/cpu.cfs_quota_us'), '50000');
    assert.deepEqual(await events(t(), t0, [`container=${c}`, 'event=update'], '{{.Action}} {{.Actor.Attributes.name}}'), Array(4).fill(`update ${c}`));
    await ok(t(), ['rm', '-f', c]);
  });

  test('update errors and warnings: below current usage, bad values, missing and --rm containers', { timeout: 60_000 }, async () => {
    const c = uniq('updbad');
    await ok(t(), ['run', '-d', ...NONE, '--name', c, 'busybox', 'sh', '-c', 'dd if=/dev/zero of=/dev/shm/fill bs=1M count=30 2>/dev/null; sleep 300']);
    assert.ok(await waitFor(async () => (await t().docker(['exec', c, 'stat', '-c', '%s', '/dev/shm/fill'])).stdout.trim() === String(30 * MiB), 10_000), 'the container never used its memory');
    const below = await t().docker(['update', '-m', '10m', '--memory-swap', '20m', c]);
    assert.equal(below.code, 1);
    assert.match(below.stderr, /^Error response from daemon: Cannot update container [0-9a-f]{64}: .*unable to set memory limit to 10485760 \(current usage: \d+, peak usage: \d+\)/);
    assert.equal(await inspect(t(), c, '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}'), '0 0', 'a refused update changes nothing');
    const small = await t().docker(['update', '-m', '1m', c]);
    assert.deepEqual([small.code, small.stdout, small.stderr], [1, '', 'Error response from daemon: Minimum memory limit allowed is 6MB\n']);
    const cpus = await t().docker(['update', '--cpuset-cpus', '99', c]);
    assert.match(cpus.stderr, /^Error response from daemon: Requested CPUs are not available - requested 99, available: /);
    const mixed = await t().docker(['update', '--restart', 'on-failure:2', c, 'nope-upd', c]);
    assert.deepEqual([mixed.code, mixed.stdout, mixed.stderr], [1, `${c}\n${c}\n`, 'Error response from daemon: No such container: nope-upd\n']);
    assert.equal(await inspect(t(), c, '{{json .HostConfig.RestartPolicy}}'), '{"Name":"on-failure","MaximumRetryCount":2}');
    const policy = await t().docker(['update', '--restart', 'bogus', c]);
    assert.deepEqual([policy.code, policy.stderr], [1, "Error response from daemon: invalid restart policy 'bogus'\n"]);
    const blkio = await t().docker(['update', '--blkio-weight', '300', c]);
    assert.equal(blkio.code, 0, blkio.stderr);
    if (!existsSync('/sys/fs/cgroup/blkio/blkio.weight')) {
      assert.equal(blkio.stdout, `${c}\nYour kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.\n`);
      assert.equal(await inspect(t(), c, '{{.HostConfig.BlkioWeight}}'), '0');
    }
    const rm = uniq('updrm');
    await ok(t(), ['run', '-d', ...NONE, '--rm', '--name', rm, 'busybox', 'sleep', '300']);
    const auto = await t().docker(['update', '--restart', 'always', rm]);
    assert.match(auto.stderr, /^Error response from daemon: Cannot update container [0-9a-f]{64}: Restart policy cannot be updated because AutoRemove is enabled for the container\n$/);
    const none = await t().docker(['update', c]);
    assert.deepEqual([none.code, none.stderr], [1, 'you must provide one or more flags when using this command\n']);
    await ok(t(), ['rm', '-f', c, rm]);
    const gone = await t().docker(['update', '--cpu-shares', '100', c]);
    assert.deepEqual([gone.code, gone.stderr], [1, `Error response from daemon: No such container: ${c}\n`]);
  });

  test('an update of a stopped container takes effect at its next start', { skip: !cgroupV1 && 'reads cgroup v1 files', timeout: 30_000 }, async () => {
    const c = uniq('updcreated');
    await ok(t(), ['create', ...NONE, '--name', c, 'busybox', 'sleep', '300']);
    assert.equal((await ok(t(), ['update', '-m', '32m', '--memory-swap', '64m', '--restart', 'unless-stopped', c])).stdout, `${c}\n`);
    await ok(t(), ['start', c]);
    assert.equal(await cgroup(t(), c, 'memory/memory.limit_in_bytes'), String(32 * MiB));
    assert.equal(await inspect(t(), c, '{{.HostConfig.RestartPolicy.Name}}'), 'unless-stopped');
    await ok(t(), ['rm', '-f', c]);
  });

  test('on-failure:N restarts N times and counts them; a manual start resets the count; update --restart takes effect on the next exit', { timeout: 60_000 }, async () => {
    const c = uniq('onfail');
    const t0 = now();
    await ok(t(), ['run', '-d', ...NONE, '--name', c, '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'exit 3']);
    const done = async (): Promise<boolean> => (await inspect(t(), c, '{{.State.Status}} {{.RestartCount}}')) === 'exited 2';
    assert.ok(await waitFor(done, 20_000), `never ended with 2 restarts: ${await inspect(t(), c, '{{.State.Status}} {{.RestartCount}}')}`);
    assert.equal(await inspect(t(), c, '{{.State.ExitCode}}'), '3');
    await ok(t(), ['start', c]);
    assert.ok(await waitFor(async () => (await events(t(), t0, [`container=${c}`, 'event=die'])).length === 6 && (await done()), 20_000), 'a manual start did not allow two more restarts');
    assert.equal((await events(t(), t0, [`container=${c}`, 'event=start'])).length, 6);

    const u = uniq('updpolicy');
    await ok(t(), ['run', '-d', ...NONE, '--name', u, 'busybox', 'sh', '-c', 'sleep 1; exit 5']);
    await ok(t(), ['update', '--restart', 'on-failure:1', u]);
    assert.ok(await waitFor(async () => (await inspect(t(), u, '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}')) === 'exited 1 5', 20_000));
    await ok(t(), ['rm', '-f', c, u]);
  });

  test('always: the backoff doubles from 100 ms, Restarting while it waits, no restart after a manual stop', { timeout: 60_000 }, async () => {
    const c = uniq('always');
    const t0 = now();
    await ok(t(), ['run', '-d', ...NONE, '--name', c, '--restart', 'always', 'busybox', 'sh', '-c', 'exit 1']);
    assert.ok(await waitFor(async () => Number(await inspect(t(), c, '{{.RestartCount}}')) >= 5, 20_000), 'fewer than 5 restarts');
    const seen = await waitFor(async () => {
      const s = await inspect(t(), c, '{{.State.Status}} {{.State.Restarting}} {{.State.Running}}');
      return s.startsWith('restarting') ? s : undefined;
    }, 10_000, 20);
    assert.equal(seen, 'restarting true true');
    const ev = (await events(t(), t0, [`container=${c}`], '{{.TimeNano}} {{.Action}}')).map((l) => l.split(' ')).filter(([, a]) => a === 'die' || a === 'start');
    const gaps: number[] = [];
    for (let i = 0; i + 1 < ev.length; i++) if (ev[i]![1] === 'die' && ev[i + 1]![1] === 'start') gaps.push((Number(ev[i + 1]![0]) - Number(ev[i]![0])) / 1e6);
    assert.ok(gaps.length >= 4, `restarts in the events: ${gaps}`);
    assert.ok(gaps[0]! >= 90, `first delay ${gaps[0]} ms`);
    assert.ok(gaps[3]! >= 750, `fourth delay ${gaps[3]} ms (100 ms doubled three times)`);
    assert.ok(gaps[3]! > gaps[0]!, `delays do not grow: ${gaps}`);
    await ok(t(), ['stop', '-t', '1', c]);
    const count = await inspect(t(), c, '{{.RestartCount}}');
    await sleep(1500);
    assert.equal(await inspect(t(), c, '{{.State.Status}} {{.RestartCount}}'), `exited ${count}`);
    assert.match((await ok(t(), ['ps', '-a', '--filter', `name=^${c}$`, '--format', '{{.Status}}'])).stdout, /^Exited \(\d+\) /);
    await ok(t(), ['rm', '-f', c]);
  });

  test('health: healthy, unhealthy after retries, a hanging probe killed at its timeout; ps, filters, events, stop and start', { timeout: 60_000 }, async () => {
    const good = uniq('hgood');
    const hang = uniq('hhang');
    const plain = uniq('hnone');
    const slow = uniq('hslow');
    const t0 = now();
    await ok(t(), ['run', '-d', ...NONE, '--name', slow, '--health-cmd', 'true', '--health-interval', '1m', 'busybox', 'sleep', '300']);
    await ok(t(), ['run', '-d', ...NONE, '--name', good, '--health-cmd', 'echo hello; exit 0', '--health-interval', '300ms', '--health-retries', '2', 'busybox', 'sleep', '300']);
    await ok(t(), ['run', '-d', ...NONE, '--name', hang, '--health-cmd', 'sleep 5', '--health-interval', '300ms', '--health-timeout', '300ms', '--health-retries', '2', 'busybox', 'sleep', '300']);
    await ok(t(), ['run', '-d', ...NONE, '--name', plain, '--no-healthcheck', 'busybox', 'sleep', '300']);
    const status = async (c: string): Promise<string> => (await ok(t(), ['ps', '-a', '--filter', `name=^${c}$`, '--format', '{{.Status}}'])).stdout.trim();
    assert.match(await status(slow), /^Up .* \(health: starting\)$/);
    assert.equal(await inspect(t(), slow, '{{json .State.Health}}'), '{"Status":"starting","FailingStreak":0,"Log":[]}');
    assert.ok(await waitFor(async () => /\(healthy\)$/.test(await status(good)), 10_000), await status(good));
    assert.ok(await waitFor(async () => /\(unhealthy\)$/.test(await status(hang)), 10_000), await status(hang));
    assert.match(await status(plain), /^Up [^(]*$/);
    assert.equal(await inspect(t(), plain, '{{json .State.Health}}'), 'null');
    assert.equal(await inspect(t(), plain, '{{json .Config.Healthcheck}}'), '{"Test":["NONE"]}');
    assert.equal(await inspect(t(), good, '{{json .Config.Healthcheck}}'), '{"Test":["CMD-SHELL","echo hello; exit 0"],"Interval":300000000,"Retries":2}');

    const h = JSON.parse(await inspect(t(), good, '{{json .State.Health}}')) as { Status: string; FailingStreak: number; Log: { Start: string; End: string; ExitCode: number; Output: string }[] };
    assert.deepEqual([h.Status, h.FailingStreak], ['healthy', 0]);
    assert.deepEqual([h.Log[0]!.ExitCode, h.Log[0]!.Output], [0, 'hello\n']);
    assert.ok(Date.parse(h.Log[0]!.End) >= Date.parse(h.Log[0]!.Start));
    const bad = JSON.parse(await inspect(t(), hang, '{{json .State.Health}}')) as typeof h;
    assert.equal(bad.Status, 'unhealthy');
    assert.ok(bad.FailingStreak >= 2);
    assert.deepEqual([bad.Log[0]!.ExitCode, bad.Log[0]!.Output], [-1, 'Health check exceeded timeout (300ms)']);
    assert.ok(Date.parse(bad.Log[0]!.End) - Date.parse(bad.Log[0]!.Start) < 2000, 'the timeout ended the probe');
    assert.ok(await waitFor(async () => Number(await inspect(t(), good, '{{len .State.Health.Log}}')) === 5, 10_000));
    await sleep(700);
    assert.equal(await inspect(t(), good, '{{len .State.Health.Log}}'), '5', 'the log keeps the last five');

    const byHealth = async (v: string): Promise<string[]> =>
      (await ok(t(), ['ps', '-a', '--filter', `name=^(${good}|${hang}|${plain}|${slow})$`, '--filter', `health=${v}`, '--format', '{{.Names}}'])).stdout.split('\n').filter(Boolean).sort();
    assert.deepEqual(await byHealth('healthy'), [good]);
    assert.deepEqual(await byHealth('unhealthy'), [hang]);
    assert.deepEqual(await byHealth('none'), [plain]);
    assert.deepEqual(await byHealth('starting'), [slow]);
    const bogus = await t().docker(['ps', '--filter', 'health=bogus']);
    assert.deepEqual([bogus.code, bogus.stderr], [1, 'Error response from daemon: Unrecognised filter value for health: bogus\n']);
    assert.deepEqual(await events(t(), t0, [`container=${good}`, 'event=health_status'], '{{.Action}} {{.Actor.Attributes.name}}'), [`health_status: healthy ${good}`]);
    assert.deepEqual(await events(t(), t0, [`container=${hang}`, 'event=health_status']), ['health_status: unhealthy']);
    assert.ok((await events(t(), t0, [`container=${good}`, 'event=exec_die'], '{{.Actor.Attributes.exitCode}}')).every((c) => c === '0'));

    await ok(t(), ['stop', '-t', '0', good]);
    assert.equal(await inspect(t(), good, '{{.State.Health.Status}}'), 'unhealthy', 'a stopped monitor leaves unhealthy');
    await ok(t(), ['start', good]);
    assert.equal(await inspect(t(), good, '{{.State.Health.Status}} {{.State.Health.FailingStreak}} {{len .State.Health.Log}}'), 'starting 0 5');
    assert.ok(await waitFor(async () => (await inspect(t(), good, '{{.State.Health.Status}}')) === 'healthy', 10_000));
    await ok(t(), ['rm', '-f', good, hang, plain, slow]);
  });

  test("health: the image's HEALTHCHECK merged with --health-* flags; output cut at 4096 bytes; a bad interval refused", { timeout: 60_000 }, async () => {
    const base = uniq('hbase');
    const img = `${uniq('hcimg')}:1`;
    await ok(t(), ['create', ...NONE, '--name', base, 'busybox', 'true']);
    await ok(t(), ['commit', '--change', 'HEALTHCHECK --interval=30s --retries=2 CMD test -e /etc/passwd', base, img]);
    const c = uniq('himg');
    await ok(t(), ['run', '-d', ...NONE, '--name', c, '--health-interval', '300ms', img, 'sleep', '300']);
    assert.equal(await inspect(t(), c, '{{json .Config.Healthcheck}}'), '{"Test":["CMD-SHELL","test -e /etc/passwd"],"Interval":300000000,"Retries":2}');
    assert.ok(await waitFor(async () => (await inspect(t(), c, '{{.State.Health.Status}}')) === 'healthy', 10_000));

    const out = uniq('hout');
    const both = uniq('hboth');
    await ok(t(), ['run', '-d', ...NONE, '--name', out, '--health-interval', '300ms', '--health-cmd', "head -c 5000 /dev/zero | tr '\\000' a; exit 3", 'busybox', 'sleep', '300']);
    await ok(t(), ['run', '-d', ...NONE, '--name', both, '--health-interval', '300ms', '--health-cmd', 'echo out; sleep 0.2; echo err >&2; exit 2', 'busybox', 'sleep', '300']);
    assert.ok(await waitFor(async () => Number(await inspect(t(), out, '{{len .State.Health.Log}}')) > 0, 10_000));
    assert.equal(await inspect(t(), out, '{{(index .State.Health.Log 0).ExitCode}} {{len (index .State.Health.Log 0).Output}}'), '3 4099');
    assert.match(await inspect(t(), out, '{{(index .State.Health.Log 0).Output}}'), /^a{4096}\.\.\.$/);
    assert.ok(await waitFor(async () => Number(await inspect(t(), both, '{{len .State.Health.Log}}')) > 0, 10_000));
    assert.equal(await inspect(t(), both, '{{json (index .State.Health.Log 0).Output}} {{(index .State.Health.Log 0).ExitCode}}'), '"out\\nerr\\n" 2');

    const api = await t().api('POST', '/containers/create', { Image: 'busybox', Cmd: ['true'], Healthcheck: { Test: ['CMD', 'true'], Interval: 5 }, HostConfig: { NetworkMode: 'none' } });
    assert.equal(api.status, 400);
    assert.equal(api.json<{ message: string }>().message, 'Interval in Healthcheck cannot be less than 1ms');
    await ok(t(), ['rm', '-f', base, c, out, both]);
    await ok(t(), ['rmi', img]);
  });

  test("compose (v1, file format 2.4): depends_on condition service_healthy waits for the healthcheck", { skip: missingClient('docker-compose'), timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-e2e-health-compose-'));
    const project = uniq('hc').replace(/-/g, '');
    const file = join(dir, 'docker-compose.yml');
    writeFileSync(
      file,
      [
        'version: "2.4"',
        'services:',
        '  db:',
        '    image: busybox',
        '    command: sh -c "sleep 1.5; touch /tmp/ready; sleep 300"',
        '    network_mode: none',
        '    healthcheck:',
        '      test: ["CMD", "test", "-f", "/tmp/ready"]',
        '      interval: 300ms',
        '      timeout: 2s',
        '      retries: 30',
        '  app:',
        '    image: busybox',
        '    command: sleep 300',
        '    network_mode: none',
        '    depends_on:',
        '      db:',
        '        condition: service_healthy',
        '  sick:',
        '    image: busybox',
        '    command: sleep 300',
        '    network_mode: none',
        '    healthcheck:',
        '      test: ["CMD", "false"]',
        '      interval: 300ms',
        '      retries: 2',
        '  late:',
        '    image: busybox',
        '    command: sleep 300',
        '    network_mode: none',
        '    depends_on:',
        '      sick:',
        '        condition: service_healthy',
        '',
      ].join('\n'),
    );
    const compose = (args: string[]): Promise<RunResult> => runCommand('docker-compose', ['-f', file, '-p', project, ...args], { env: { DOCKER_HOST: `unix://${t().socket}` }, timeoutMs: 60_000 });
    try {
      const up = await compose(['up', '-d', 'app']);
      assert.equal(up.code, 0, up.stderr);
      const db = `${project}_db_1`;
      const app = `${project}_app_1`;
      assert.equal(await inspect(t(), db, '{{.State.Health.Status}}'), 'healthy');
      const dbStarted = Date.parse(await inspect(t(), db, '{{.State.StartedAt}}'));
      const appStarted = Date.parse(await inspect(t(), app, '{{.State.StartedAt}}'));
      assert.ok(appStarted - dbStarted >= 1400, `app started ${appStarted - dbStarted} ms after db, before db was healthy`);
      const late = await compose(['up', '-d', 'late']);
      assert.notEqual(late.code, 0, 'a dependency that turns unhealthy must fail the up');
      assert.match(late.stderr, /is unhealthy/);
    } finally {
      await compose(['down', '-t', '0']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

forEachTarget(
  'health and restart policies across berthd restarts; berth update',
  (t) => {
    test('probes resume after kill -9 of berthd; restart policies decide what starts at boot; --rm leftovers are removed', { timeout: 120_000 }, async () => {
      const d = t().daemon!;
      const h = uniq('hboot');
      await ok(t(), ['run', '-d', ...NONE, '--name', h, '--health-cmd', 'true', '--health-interval', '300ms', 'busybox', 'sleep', '300']);
      assert.ok(await waitFor(async () => (await inspect(t(), h, '{{.State.Health.Status}}')) === 'healthy', 10_000));
      const mk = async (name: string, flags: string[], cmd: string[], stop: boolean): Promise<void> => {
        await ok(t(), ['run', '-d', ...NONE, '--name', name, ...flags, 'busybox', ...cmd]);
        if (stop) await ok(t(), ['stop', '-t', '0', name]);
      };
      await mk('boot-always-stopped', ['--restart', 'always'], ['sleep', '300'], true);
      await mk('boot-unless-stopped', ['--restart', 'unless-stopped'], ['sleep', '300'], true);
      await mk('boot-onfail-stopped', ['--restart', 'on-failure'], ['sleep', '300'], true);
      await mk('boot-always-exits', ['--restart', 'always'], ['sh', '-c', 'sleep 2; exit 0'], false);
      await mk('boot-no-exits', [], ['sh', '-c', 'sleep 2; exit 4'], false);
      await ok(t(), ['create', ...NONE, '--name', 'boot-always-created', '--restart', 'always', 'busybox', 'sleep', '300']);
      await ok(t(), ['create', ...NONE, '--name', 'boot-rm-created', '--rm', 'busybox', 'true']);
      // 20 parallel `run --rm`, and berthd dies in the middle of them
      const runs = Array.from({ length: 20 }, () => t().docker(['run', '--rm', ...NONE, '--label', 'boot-rm=1', 'busybox', 'sleep', '2'], { timeoutMs: 60_000 }));
      await waitFor(async () => (await t().docker(['ps', '-aq', '--filter', 'label=boot-rm=1'])).stdout.split('\n').filter(Boolean).length >= 5, 10_000, 50);
      await d.kill9();
      await Promise.all(runs);
      await sleep(2500); // the running ones and boot-*-exits exit while berthd is down
      await d.start();

      assert.ok(await waitFor(async () => (await t().docker(['ps', '-aq', '--filter', 'label=boot-rm=1'])).stdout.trim() === '', 15_000), `--rm containers left: ${(await t().docker(['ps', '-a', '--filter', 'label=boot-rm=1'])).stdout}`);
      const state = async (n: string): Promise<string> => inspect(t(), n, '{{.State.Status}}');
      assert.equal(await state('boot-always-stopped'), 'running');
      assert.equal(await state('boot-unless-stopped'), 'exited');
      assert.equal(await state('boot-onfail-stopped'), 'running');
      assert.equal(await state('boot-always-exits'), 'running');
      assert.equal(await inspect(t(), 'boot-no-exits', '{{.State.Status}} {{.State.ExitCode}}'), 'exited 4');
      assert.equal(await state('boot-always-created'), 'created');
      assert.notEqual((await t().docker(['inspect', 'boot-rm-created'])).code, 0, 'the --rm container that never ran is removed');

      assert.match(await inspect(t(), h, '{{.State.Health.Status}}'), /^(starting|healthy)$/);
      const before = Date.now();
      assert.ok(
        await waitFor(async () => {
          const hl = JSON.parse(await inspect(t(), h, '{{json .State.Health}}')) as { Status: string; Log: { End: string }[] };
          return hl.Status === 'healthy' && Date.parse(hl.Log[hl.Log.length - 1]!.End) > before;
        }, 10_000),
        'probes did not resume after the restart',
      );
      await t().docker(['rm', '-f', h, 'boot-always-stopped', 'boot-unless-stopped', 'boot-onfail-stopped', 'boot-always-exits', 'boot-no-exits', 'boot-always-created']);
    });

    test('berth update prints what docker update prints', { timeout: 30_000 }, async () => {
      const d = t().daemon!;
      const c = uniq('bupd');
      await ok(t(), ['run', '-d', ...NONE, '--name', c, '-m', '64m', 'busybox', 'sleep', '300']);
      for (const args of [
        ['update', '-m', '100m', '--memory-swap', '-1', c, 'nope-bupd', c],
        ['update', '-m', '500m', c],
        ['update', '--cpus', '0.5', '--restart', 'on-failure:3', c],
        ['update', c],
        ['update', '-m', 'lots', c],
      ]) {
        const b = await d.berth(args);
        const k = await t().docker(args);
        assert.equal(b.stdout, k.stdout, `stdout of ${args.join(' ')}`);
        assert.equal(b.stderr, k.stderr.replace(/\bdocker\b/g, 'berth'), `stderr of ${args.join(' ')}`);
        assert.equal(b.code, k.code, `exit code of ${args.join(' ')}`);
      }
      assert.equal(await inspect(t(), c, '{{.HostConfig.NanoCpus}} {{.HostConfig.RestartPolicy.Name}}'), '500000000 on-failure');
      await ok(t(), ['rm', '-f', c]);
    });
  },
  { only: ['berth'] },
);
