import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachTarget, testSubnet, uniq } from './harness.js';
import { normalizeIds } from './lib/net-probes.js';

/**
 * Bad network input (issue 6, "Bad input"): the same exit code and the same message on both
 * engines (IDs normalized to <id>), and nothing changes (networks and containers as before).
 * The expected texts are Docker 20.10's (the oracle) as the v28 CLI prints them; a few are the
 * CLI's own validation (marked), which berth must not pre-empt with a different answer.
 */
forEachTarget('network bad input', (t) => {
  const net1 = uniq('bad1');
  const net2 = uniq('bad2');
  const ctr = uniq('badc');
  const a = testSubnet(0);
  const b = testSubnet(1);
  const c = testSubnet(2);
  const RUN_HELP = "\n\nRun 'docker run --help' for more information\n";
  // Everything this file creates (or would create by mistake) carries this label, so the
  // "nothing changes" check ignores what other processes do on a shared oracle meanwhile.
  const owner = `berth-e2e-owner=${uniq('own')}`;
  const L = ['--label', owner];

  before(async () => {
    for (const args of [
      ['network', 'create', ...L, '--subnet', a.subnet, net1],
      ['network', 'create', ...L, '--subnet', b.subnet, net2],
      ['run', '-d', ...L, '--name', ctr, '--network', net1, '--ip', `${a.prefix}.10`, 'busybox', 'sleep', '600'],
    ]) {
      const r = await t().docker(args, { timeoutMs: 90_000 });
      assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    }
  }, { timeout: 120_000 });
  after(async () => {
    await t().docker(['rm', '-f', ctr]);
    await t().docker(['network', 'rm', net1, net2]);
  });

  /** This file's networks and containers and ctr's endpoints: what must not change. */
  async function state(): Promise<string> {
    const nets = await t().docker(['network', 'ls', '--filter', `label=${owner}`, '--format', '{{.Name}}']);
    const ctrs = await t().docker(['ps', '-a', '--filter', `label=${owner}`, '--format', '{{.Names}} {{.State}}']);
    const eps = await t().docker(['inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}', ctr]);
    return [nets.stdout.split('\n').sort().join(','), ctrs.stdout.split('\n').sort().join(','), eps.stdout.trim()].join('\n');
  }

  /** `keepsState: false`: Docker itself changes something there (a bug berth need not copy). */
  const cases: Array<{ title: string; args: () => string[]; code: number; stderr: () => string; keepsState?: false }> = [
    {
      title: 'overlapping subnet',
      args: () => ['network', 'create', ...L, '--subnet', `${a.prefix}.128/25`, uniq('x')],
      code: 1,
      stderr: () => 'Error response from daemon: Pool overlaps with other one on this address space\n',
    },
    {
      title: 'invalid subnet',
      args: () => ['network', 'create', ...L, '--subnet', '10.250.300.0/24', uniq('x')],
      code: 1,
      stderr: () => 'Error response from daemon: Invalid subnet 10.250.300.0/24 : invalid CIDR address: 10.250.300.0/24\n',
    },
    {
      title: 'gateway is the subnet\'s network address',
      args: () => ['network', 'create', ...L, '--subnet', c.subnet, '--gateway', `${c.prefix}.0`, uniq('x')],
      code: 1,
      stderr: () => `Error response from daemon: failed to allocate gateway (${c.prefix}.0): Address already in use\n`,
    },
    {
      title: 'gateway outside the subnet (CLI)',
      args: () => ['network', 'create', ...L, '--subnet', c.subnet, '--gateway', '10.9.9.1', uniq('x')],
      code: 1,
      stderr: () => 'no matching subnet for gateway 10.9.9.1\n',
    },
    {
      title: 'network name in use',
      args: () => ['network', 'create', ...L, net1],
      code: 1,
      stderr: () => `Error response from daemon: network with name ${net1} already exists\n`,
    },
    {
      title: 'unknown driver',
      args: () => ['network', 'create', ...L, '-d', 'nosuch', uniq('x')],
      code: 1,
      stderr: () => 'Error response from daemon: plugin "nosuch" not found\n',
    },
    {
      title: 'run --ip outside the subnet',
      args: () => ['run', '--rm', ...L, '--network', net1, '--ip', '10.9.9.9', 'busybox', 'true'],
      code: 125,
      stderr: () => `docker: Error response from daemon: Invalid address 10.9.9.9: It does not belong to any of this network's subnets${RUN_HELP}`,
    },
    {
      title: 'run --ip already in use',
      args: () => ['run', '--rm', ...L, '--network', net1, '--ip', `${a.prefix}.10`, 'busybox', 'true'],
      code: 125,
      stderr: () => `docker: Error response from daemon: Address already in use${RUN_HELP}`,
    },
    {
      title: 'run --ip on the default bridge',
      args: () => ['run', '--rm', ...L, '--ip', '10.9.9.9', 'busybox', 'true'],
      code: 125,
      stderr: () => `docker: Error response from daemon: user specified IP address is supported on user defined networks only${RUN_HELP}`,
    },
    {
      title: 'run --network-alias on the default bridge (CLI)',
      args: () => ['run', '--rm', ...L, '--network-alias', 'al', 'busybox', 'true'],
      code: 125,
      stderr: () => `docker: network-scoped aliases are only supported for user-defined networks${RUN_HELP}`,
    },
    {
      title: 'run on a missing network',
      args: () => ['run', '--rm', ...L, '--network', 'nope-net', 'busybox', 'true'],
      code: 125,
      stderr: () => `docker: Error response from daemon: network nope-net not found${RUN_HELP}`,
    },
    {
      title: 'host port out of range (CLI)',
      args: () => ['run', '--rm', ...L, '-p', '70000:80', 'busybox', 'true'],
      code: 125,
      stderr: () => `docker: invalid hostPort: 70000${RUN_HELP}`,
    },
    {
      title: 'connect twice',
      args: () => ['network', 'connect', net1, ctr],
      code: 1,
      stderr: () => `Error response from daemon: endpoint with name ${ctr} already exists in network ${net1}\n`,
    },
    {
      title: 'connect --ip outside the subnet',
      args: () => ['network', 'connect', '--ip', `${a.prefix}.10`, net2, ctr],
      code: 1,
      stderr: () => `Error response from daemon: Invalid address ${a.prefix}.10: It does not belong to any of this network's subnets\n`,
      // Docker 20.10 leaves an empty NetworkSettings.Networks entry for the network behind
      keepsState: false,
    },
    {
      title: 'connect --ip to the default bridge',
      args: () => ['network', 'connect', '--ip', '10.9.9.9', 'bridge', ctr],
      code: 1,
      stderr: () => 'Error response from daemon: user specified IP address is supported on user defined networks only\n',
    },
    {
      title: 'connect to a missing network',
      args: () => ['network', 'connect', 'nope-net', ctr],
      code: 1,
      stderr: () => 'Error response from daemon: network nope-net not found\n',
    },
    {
      title: 'disconnect when not connected',
      args: () => ['network', 'disconnect', 'bridge', ctr],
      code: 1,
      stderr: () => 'Error response from daemon: container <id> is not connected to network bridge\n',
    },
    {
      title: 'disconnect a missing container',
      args: () => ['network', 'disconnect', net1, 'nope-ctr'],
      code: 1,
      stderr: () => 'Error response from daemon: No such container: nope-ctr\n',
    },
    {
      title: 'rm a missing network',
      args: () => ['network', 'rm', 'nope-net'],
      code: 1,
      stderr: () => 'Error response from daemon: network nope-net not found\nexit status 1\n',
    },
  ];

  for (const k of cases) {
    test(`${k.title}: Docker's exit code and message, nothing changes`, async () => {
      const before = await state();
      const r = await t().docker(k.args(), { timeoutMs: 60_000 });
      assert.equal(normalizeIds(r.stderr), k.stderr());
      assert.equal(r.code, k.code);
      assert.equal(r.stdout, '');
      if (k.keepsState !== false) assert.equal(await state(), before);
    });
  }
});
