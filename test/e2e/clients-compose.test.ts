import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { forEachTarget, runCommand, testHostAddress, uniq, waitFor, type RunResult } from './harness.js';
import { CLIENTS_DIR, missingClient } from './clients/probe-runner.js';
import { DnsResponder } from './lib/dns-responder.js';
import { freePort, httpBody, httpGetEventually, ncGetCommand, parseResolved } from './lib/net-probes.js';

const skip = missingClient('docker-compose');
const FILE = join(CLIENTS_DIR, 'docker-compose.yml');
const NET_FILE = join(CLIENTS_DIR, 'docker-compose-net.yml');

let dns: DnsResponder | undefined;
before(async () => {
  if (!skip) dns = await DnsResponder.start(`btdns${process.pid % 100000}d`, testHostAddress(5), {});
});
after(async () => {
  await dns?.stop();
});

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

  test('a named project volume keeps data between the service and a one-off run', { skip }, async () => {
    const w = await compose(['exec', '-T', 'worker', 'sh', '-c', 'echo kept > /data/f']);
    assert.equal(w.code, 0, w.stderr);
    const r = await compose(['run', '--rm', '-T', 'worker', 'cat', '/data/f']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'kept\n');
    const v = (await t().api('GET', `/volumes/${project}_data`)).json<{ Driver: string; Labels: Record<string, string> }>();
    assert.equal(v.Driver, 'local');
    assert.equal(v.Labels['com.docker.compose.project'], project);
  });

  test('down -v removes containers, the network and the volume', { skip }, async () => {
    const down = await compose(['down', '-v', '-t', '1']);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stderr, new RegExp(`Removing network ${project}_default`));
    const left = await t().api('GET', `/containers/json?all=1&filters=${encodeURIComponent(JSON.stringify({ label: [`com.docker.compose.project=${project}`] }))}`);
    assert.deepEqual(left.json(), []);
    const net = await t().api('GET', `/networks/${project}_default`);
    assert.equal(net.status, 404);
    assert.equal((await t().api('GET', `/volumes/${project}_data`)).status, 404);
  });

  describe('a project on its network: service names and a published port', () => {
    const netProject = uniq('cnet').replace(/-/g, '');
    let apiPort = 0;
    const composeNet = async (args: string[]): Promise<RunResult> => {
      socket ||= t().socket;
      apiPort ||= await freePort();
      return runCommand('docker-compose', ['-f', NET_FILE, '-p', netProject, ...args], {
        env: { DOCKER_HOST: `unix://${socket}`, API_PORT: String(apiPort), PROBE_DNS: dns!.address },
        timeoutMs: 120_000,
      });
    };
    after(async () => {
      if (!skip && socket) await composeNet(['down', '-t', '1']).catch(() => undefined);
    });

    test('up -d: both services on <project>_default, client reaches api by service name', { skip }, async () => {
      const up = await composeNet(['up', '-d']);
      assert.equal(up.code, 0, up.stderr);
      const net = (await t().api('GET', `/networks/${netProject}_default`)).json<{ IPAM: { Config: Array<{ Subnet: string }> }; Containers: Record<string, { Name: string; IPv4Address: string }> }>();
      const names = Object.values(net.Containers).map((c) => c.Name).sort();
      assert.deepEqual(names, [`${netProject}_api_1`, `${netProject}_client_1`]);
      const apiIp = Object.values(net.Containers).find((c) => c.Name === `${netProject}_api_1`)!.IPv4Address.split('/')[0]!;
      const ping = await composeNet(['exec', '-T', 'client', 'ping', '-c1', '-W1', 'api']);
      assert.equal(parseResolved(ping, 'api'), apiIp);
      const ok = await waitFor(async () => {
        const r = await composeNet(['exec', '-T', 'client', 'sh', '-c', ncGetCommand('api', 80)]);
        return httpBody(r.stdout) === 'api-ok\n' ? true : undefined;
      }, 15_000, 300);
      assert.ok(ok, 'client never got api-ok from http://api/');
      const aliases = await t().docker(['inspect', '-f', `{{json (index .NetworkSettings.Networks "${netProject}_default").Aliases}}`, `${netProject}_api_1`]);
      assert.ok((JSON.parse(aliases.stdout) as string[]).includes('api'), aliases.stdout);
    });

    test('the published port answers on 127.0.0.1; ps shows it', { skip }, async () => {
      const got = await httpGetEventually('127.0.0.1', apiPort);
      assert.equal(got.body, 'api-ok\n', got.error);
      const ps = await composeNet(['ps']);
      assert.match(ps.stdout, new RegExp(`^${netProject}_api_1 .* Up .*127\\.0\\.0\\.1:${apiPort}->80/tcp`, 'm'));
    });

    test('down removes the network and releases the port', { skip }, async () => {
      const down = await composeNet(['down', '-t', '1']);
      assert.equal(down.code, 0, down.stderr);
      assert.equal((await t().api('GET', `/networks/${netProject}_default`)).status, 404);
      const gone = await httpGetEventually('127.0.0.1', apiPort, 1000);
      assert.ok(gone.error, 'the port still answers after down');
    });
  });
});
