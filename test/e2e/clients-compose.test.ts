import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { forEachTarget, runCommand, uniq, waitFor, type RunResult } from './harness.js';
import { CLIENTS_DIR, missingClient } from './clients/probe-runner.js';

const skip = missingClient('docker-compose');
const FILE = join(CLIENTS_DIR, 'docker-compose.yml');

/** docker-compose 1.29 (python, Debian): up -d, ps, logs, exec, run, restart, top, down on each engine. */
forEachTarget('docker-compose v1', (t) => {
  const project = uniq('cmp').replace(/-/g, '');
  let socket = '';
  /** docker-compose; `viaPy` makes run/exec use docker-py (dockerpty) instead of shelling out to the docker CLI. */
  const compose = (args: string[], viaPy = false): Promise<RunResult> => {
    socket ||= t().socket;
    return runCommand('docker-compose', ['-f', FILE, '-p', project, ...args], {
      env: { DOCKER_HOST: `unix://${socket}`, COMPOSE_INTERACTIVE_NO_CLI: viaPy ? '1' : undefined },
      timeoutMs: 120_000,
    });
  };
  after(async () => {
    if (!skip && socket) await compose(['down', '-t', '1']).catch(() => undefined);
  });

  test('up -d creates the project network and both services', { skip }, async () => {
    const up = await compose(['up', '-d']);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stderr, new RegExp(`Creating network "${project}_default" with the default driver`));
    const net = await t().api('GET', `/networks/${project}_default`);
    assert.equal(net.status, 200);
    const n = net.json<{ Name: string; Driver: string; Labels: Record<string, string> }>();
    assert.equal(n.Name, `${project}_default`);
    assert.equal(n.Driver, 'bridge');
    assert.equal(n.Labels['com.docker.compose.project'], project);
    const ps = await compose(['ps']);
    assert.equal(ps.code, 0, ps.stderr);
    assert.match(ps.stdout, new RegExp(`^${project}_web_1 .* Up`, 'm'));
    assert.match(ps.stdout, new RegExp(`^${project}_worker_1 .* Up`, 'm'));
  });

  test('logs shows each service', { skip }, async () => {
    const ok = await waitFor(async () => {
      const l = await compose(['logs', '--no-color']);
      return /web_1 +\| web-up/.test(l.stdout) && /worker_1 +\| worker-up/.test(l.stdout) ? true : undefined;
    }, 15_000);
    assert.ok(ok, 'compose logs never showed both services');
  });

  test('exec -T runs in the service with its environment and exit code (docker CLI and docker-py paths)', { skip }, async () => {
    for (const viaPy of [false, true]) {
      const ex = await compose(['exec', '-T', 'worker', 'sh', '-c', 'sleep 0.2; echo $ROLE; exit 4'], viaPy);
      assert.equal(ex.code, 4, ex.stderr);
      assert.equal(ex.stdout, 'worker\n');
    }
  });

  test('run --rm, restart, top', { skip }, async () => {
    const run = await compose(['run', '--rm', '-T', 'worker', 'sh', '-c', 'echo run-$ROLE']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'run-worker\n');
    const restart = await compose(['restart', '-t', '1', 'web']);
    assert.equal(restart.code, 0, restart.stderr);
    const top = await compose(['top', 'web']);
    assert.equal(top.code, 0, top.stderr);
    assert.match(top.stdout, /sleep 300/);
  });

  test('down removes containers and the network', { skip }, async () => {
    const down = await compose(['down', '-t', '1']);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stderr, new RegExp(`Removing network ${project}_default`));
    const left = await t().api('GET', `/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify({ label: [`com.docker.compose.project=${project}`] }))}`);
    assert.deepEqual(left.json(), []);
    const net = await t().api('GET', `/networks/${project}_default`);
    assert.equal(net.status, 404);
  });
});
