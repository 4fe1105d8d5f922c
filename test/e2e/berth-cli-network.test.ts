/**
 * The berth CLI's network commands, `port`, and the network flags of run/create, compared
 * with the official docker CLI (v28) against the SAME daemon: each scenario is a script run
 * once with `docker` and once with `berth`, and the two transcripts (stdout, stderr, exit
 * code of every step) must match once ids, times and MACs are replaced by placeholders.
 *
 * Daemons: the Docker oracle (ground truth; skipped when it is not running) and a private
 * berthd. The oracle is shared: everything here is named `bnt<pid>-*`, lives on this
 * process's test subnets, is listed and pruned only through those names and a
 * `berth-e2e=<prefix>` label, and is removed after each run of a scenario.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { BASE_IMAGE, BerthDaemon, DOCKER_CLI, ORACLE_SOCKET, baseRootfsTar, ping, runCommand, testSubnet } from './harness.js';
import { cliEnv } from './lib/berth-daemon.js';
import { recordTranscript, removeByPrefix, type Scenario, type Step } from './lib/transcript.js';
import { readFileSync } from 'node:fs';

const P = `bnt${process.pid}`;
const LABEL = `berth-e2e=${P}`;

async function transcript(which: 'docker' | 'berth', socket: string, scenario: Scenario): Promise<Step[]> {
  return normalize(await recordTranscript(which, socket, scenario, () => cleanup(socket)));
}

async function cleanup(socket: string): Promise<void> {
  await removeByPrefix(socket, P, { networks: true });
}

/**
 * Ids (64 and 12 hex), RFC 3339 and Go times, MACs → placeholders in order of appearance;
 * `docker` → `berth` in stderr; lists the daemon prints in random order sorted.
 */
function normalize(steps: Step[]): Step[] {
  const ids = new Map<string, string>();
  const id = (full: string): string => {
    if (!ids.has(full)) ids.set(full, `<ID${ids.size + 1}>`);
    return ids.get(full)!;
  };
  const fix = (s: string): string =>
    s
      .replace(/\b[0-9a-f]{64}\b/g, (m) => id(m))
      .replace(/\b[0-9a-f]{12}\b/g, (m) => {
        const full = [...ids.keys()].find((k) => k.startsWith(m));
        return full ? `${id(full)}:short` : id(m);
      })
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g, '<TIME>')
      .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? (?:[+-]\d{4} [A-Z]+|[+-]\d{4} [+-]\d{4})/g, '<TIME>')
      .replace(/\b([0-9a-f]{2}:){5}[0-9a-f]{2}\b/g, '<MAC>')
      // docker and dockerd list these in Go map order (random)
      .replace(/"Labels":"([^"]*)"/g, (_m, list: string) => `"Labels":"${list.split(',').sort().join(',')}"`)
      .replace(/(cannot be connected to network endpoints: )(.*)/g, (_m, head: string, list: string) => head + list.split(', ').sort().join(', '));
  return steps.map((s) => ({
    cmd: s.cmd,
    code: s.code,
    out: fix(s.out),
    err: fix(s.err).replace(/(?<![.\w])docker(?![.\w])/g, 'berth'),
  }));
}

/** Runs `scenario` with both CLIs against `socket` and compares the transcripts step by step. */
async function compare(socket: string, scenario: Scenario): Promise<void> {
  const want = await transcript('docker', socket, scenario);
  const got = await transcript('berth', socket, scenario);
  if (process.env.BERTH_E2E_TRANSCRIPT === '1') for (const s of want) process.stderr.write(`$ ${s.cmd}\n${s.out}${s.err}[exit ${s.code}]\n`);
  assert.equal(got.length, want.length, 'number of steps');
  for (let i = 0; i < want.length; i++) assert.deepEqual(got[i], want[i], `step ${i + 1}: ${want[i]!.cmd}`);
}

const sub = (k: number) => testSubnet(k);

const SCENARIOS: [string, Scenario][] = [
  ['network create, ls, inspect, rm', async (cli) => {
    const a = sub(0);
    const b = sub(1);
    await cli(['network', 'create', '--subnet', a.subnet, '--gateway', `${a.prefix}.254`, '--ip-range', `${a.prefix}.128/25`, '--aux-address', `r1=${a.prefix}.5`,
      '--label', LABEL, '--label', 'tier=front', '-o', 'com.docker.network.driver.mtu=1400', '--internal', '--attachable', `${P}-a`]);
    await cli(['network', 'create', '--subnet', b.subnet, '--label', LABEL, `${P}-b`]);
    await cli(['network', 'create', '--subnet', a.subnet, '--label', LABEL, `${P}-overlap`]);
    await cli(['network', 'create', '--subnet', sub(2).subnet, `${P}-a`]);
    await cli(['network', 'create', '--gateway', '10.0.0.1', `${P}-x`]);
    await cli(['network', 'create', '--subnet', 'nonsense', `${P}-x`]);
    await cli(['network', 'create']);
    await cli(['network', 'ls', '-f', `name=${P}`]);
    await cli(['network', 'ls', '-f', `name=${P}`, '-q']);
    await cli(['network', 'ls', '-f', `name=${P}`, '--no-trunc']);
    await cli(['network', 'ls', '-f', `name=${P}`, '--format', 'json']);
    await cli(['network', 'ls', '-f', `name=${P}`, '-f', 'label=tier=front', '--format', 'table {{.Name}}\\t{{.Driver}}\\t{{.Internal}}\\t{{.Label "tier"}}\\t{{.CreatedAt}}']);
    await cli(['network', 'ls', '-f', 'bogus=1']);
    await cli(['network', 'ls', '-f', 'nokey']);
    await cli(['network', 'inspect', `${P}-a`]);
    await cli(['network', 'inspect', `${P}-a`, `${P}-b`]);
    await cli(['network', 'inspect', '--format', 'json', `${P}-b`]);
    await cli(['network', 'inspect', '-f', '{{.Name}} {{.Internal}} {{.Attachable}} {{range .IPAM.Config}}{{.Subnet}} {{.Gateway}} {{.IPRange}} {{.AuxiliaryAddresses}}{{end}} {{.Options}}', `${P}-a`]);
    await cli(['network', 'inspect', '-f', '{{.Id}} {{json .IPAM}} {{.Created}}', `${P}-b`]);
    await cli(['network', 'inspect', `${P}-nope`]);
    await cli(['network', 'inspect', '-f', '{{.Name}}', `${P}-a`, `${P}-nope`]);
    await cli(['network', 'rm', `${P}-a`, `${P}-nope`, `${P}-b`]);
    await cli(['network', 'rm', '-f', `${P}-nope`]);
    await cli(['network', 'rm', `${P}-nope`]);
    await cli(['network', 'ls', '-f', `name=${P}`]);
  }],
  ['run with network flags, port, connect, disconnect', async (cli) => {
    const c = sub(3);
    const d = sub(4);
    await cli(['network', 'create', '--subnet', c.subnet, '--label', LABEL, `${P}-c`]);
    await cli(['network', 'create', '--subnet', d.subnet, '--label', LABEL, `${P}-d`]);
    await cli(['run', '-d', '--name', `${P}-web`, '--network', `${P}-c`, '--network-alias', 'web', '--ip', `${c.prefix}.10`,
      '-p', '127.0.0.1:18080:80', '-p', '18443:443', '-p', '18444:443', '-p', '127.0.0.1:15353:53/udp', '--expose', '9000-9001',
      '-h', 'h1', '--domainname', 'example.org', '--dns', `${c.prefix}.1`, '--dns-search', 'example.com', '--dns-option', 'ndots:2',
      '--add-host', `db:${c.prefix}.20`, BASE_IMAGE, 'sleep', '300']);
    await cli(['inspect', '-f', '{{.HostConfig.NetworkMode}}|{{.Config.Hostname}}|{{.Config.Domainname}}|{{.HostConfig.Dns}}|{{.HostConfig.DnsSearch}}|{{.HostConfig.DnsOptions}}|{{.HostConfig.ExtraHosts}}', `${P}-web`]);
    await cli(['inspect', '-f', '{{range $p, $b := .HostConfig.PortBindings}}{{$p}}={{range $b}}{{.HostIp}}:{{.HostPort}},{{end}} {{end}}|{{range $p, $_ := .Config.ExposedPorts}}{{$p}} {{end}}', `${P}-web`]);
    await cli(['port', `${P}-web`]);
    await cli(['port', `${P}-web`, '443']);
    await cli(['port', `${P}-web`, '53/udp']);
    await cli(['container', 'port', `${P}-web`, '80/tcp']);
    await cli(['port', `${P}-web`, '81']);
    await cli(['port', `${P}-web`, '9000']);
    await cli(['port', `${P}-web`, 'http']);
    await cli(['port', `${P}-nope`]);
    await cli(['port']);
    await cli(['network', 'connect', '--alias', 'c2', '--ip', `${d.prefix}.10`, `${P}-d`, `${P}-web`]);
    await cli(['network', 'connect', `${P}-d`, `${P}-web`]);
    await cli(['network', 'connect', `${P}-nope`, `${P}-web`]);
    await cli(['network', 'connect', '--driver-opt', 'novalue', `${P}-d`, `${P}-web`]);
    await cli(['network', 'inspect', '-f', '{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}', `${P}-c`, `${P}-d`]);
    await cli(['network', 'rm', `${P}-c`]);
    await cli(['network', 'disconnect', `${P}-d`, `${P}-web`]);
    await cli(['network', 'disconnect', `${P}-d`, `${P}-web`]);
    await cli(['network', 'disconnect', '-f', `${P}-d`, `${P}-nope`]);
    await cli(['network', 'disconnect', `${P}-d`]);
    await cli(['rm', '-f', `${P}-web`]);
    await cli(['network', 'rm', `${P}-c`, `${P}-d`]);
  }],
  ['create with the long --network form and its errors', async (cli) => {
    const e = sub(5);
    const f = sub(6);
    await cli(['network', 'create', '--subnet', e.subnet, '--label', LABEL, `${P}-e`]);
    await cli(['network', 'create', '--subnet', f.subnet, '--label', LABEL, `${P}-f`]);
    await cli(['create', '--name', `${P}-x1`, '--network', `name=${P}-e,alias=a1,ip=${e.prefix}.7`, BASE_IMAGE]);
    await cli(['inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}:{{$v.IPAMConfig.IPv4Address}}:{{$v.Aliases}} {{end}}', `${P}-x1`]);
    await cli(['create', '--name', `${P}-x2`, '--network', `${P}-e`, '--network-alias', 'a2', '--link', `${P}-x1:l1`, BASE_IMAGE]);
    await cli(['inspect', '-f', '{{json .HostConfig.Links}} {{range $k, $v := .NetworkSettings.Networks}}{{$k}}:{{$v.Links}}:{{$v.Aliases}} {{end}}', `${P}-x2`]);
    await cli(['create', '--name', `${P}-x3`, '--network', `${P}-e`, '--network', `${P}-f`, BASE_IMAGE]);
    await cli(['create', '--name', `${P}-x4`, '--mac-address', '92:d0:c6:0a:29:33', BASE_IMAGE]);
    await cli(['create', '--name', `${P}-x5`, '--mac-address', 'zz', BASE_IMAGE]);
    await cli(['create', '--name', `${P}-x6`, '--network', `${P}-e`, '--network', 'host', BASE_IMAGE]);
    await cli(['create', '--name', `${P}-x7`, '--network', `name=${P}-e,bogus=1`, BASE_IMAGE]);
    await cli(['create', '--name', `${P}-x8`, '-p', '80:80:80:80', BASE_IMAGE]);
    await cli(['create', '--name', `${P}-x9`, '--dns', 'not-an-ip', BASE_IMAGE]);
    await cli(['create', '--name', `${P}-xa`, '--add-host', 'nocolon', BASE_IMAGE]);
    await cli(['run', '--name', `${P}-xb`, '--network', 'bridge', '--network-alias', 'x', BASE_IMAGE]);
    await cli(['rm', `${P}-x1`, `${P}-x2`]);
    await cli(['network', 'rm', `${P}-e`, `${P}-f`]);
  }],
  ['network prune', async (cli) => {
    await cli(['network', 'create', '--subnet', sub(7).subnet, '--label', LABEL, '--label', `prune=${P}-one`, `${P}-p1`]);
    await cli(['network', 'create', '--subnet', sub(8).subnet, '--label', LABEL, '--label', `prune=${P}-two`, `${P}-p2`]);
    await cli(['network', 'prune', '--filter', `label=prune=${P}-one`], 'n\n');
    await cli(['network', 'prune', '--filter', `label=prune=${P}-one`], 'yes\n');
    await cli(['network', 'prune', '--filter', `label=prune=${P}-one`], 'y\n');
    await cli(['network', 'prune', '-f', '--filter', `label=prune=${P}-two`]);
    await cli(['network', 'prune', '-f', '--filter', `label=prune=${P}-none`]);
    await cli(['network', 'prune', 'extra']);
    await cli(['network', 'ls', '-f', `name=${P}`, '-q']);
  }],
];

const oracleUp = await ping(ORACLE_SOCKET, 3000);

describe('berth CLI network commands vs docker CLI [docker oracle]', { skip: !oracleUp && `Docker oracle not running at ${ORACLE_SOCKET} (scripts/oracle-docker.sh start)` }, () => {
  before(async () => {
    const env = cliEnv(ORACLE_SOCKET);
    if ((await runCommand(DOCKER_CLI, ['image', 'inspect', BASE_IMAGE], { env })).code === 0) return;
    const r = await runCommand(DOCKER_CLI, ['import', '-c', 'CMD ["sh"]', '-', BASE_IMAGE], { env, input: readFileSync(baseRootfsTar()) });
    assert.equal(r.code, 0, r.stderr);
  }, { timeout: 120_000 });
  after(() => cleanup(ORACLE_SOCKET));
  for (const [name, scenario] of SCENARIOS) test(name, { timeout: 180_000 }, () => compare(ORACLE_SOCKET, scenario));
});

describe('berth CLI network commands vs docker CLI [private berthd]', () => {
  let d: BerthDaemon | undefined;
  before(async () => {
    d = new BerthDaemon();
    await d.start();
    await d.loadBaseImage();
  }, { timeout: 180_000 });
  after(async () => {
    if (d) await d.teardown();
  }, { timeout: 120_000 });
  for (const [name, scenario] of SCENARIOS) test(name, { timeout: 180_000 }, () => compare(d!.socket, scenario));
});
