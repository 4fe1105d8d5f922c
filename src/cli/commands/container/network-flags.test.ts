import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeDaemon, type SeenRequest } from '../../../api-client/testing/fake-daemon.js';
import { CliRunner, asBerth, hasDockerCli } from '../../testing/cli-runner.js';
import { buildCreateRequest, type CreateFlags } from './create-flags.js';
import { endpointsConfig, parseNetworkOpt } from './network-flags.js';
import { parsePortSpecs } from './port-specs.js';

const ID = 'e'.repeat(64);
let d: FakeDaemon;
let runner: CliRunner;

before(async () => {
  d = await FakeDaemon.start('1.43');
  d.on('POST /containers/create', (_q, res) => d.json(res, 201, { Id: ID, Warnings: [] }));
  d.on('POST /containers/:id/start', (_q, res) => void res.writeHead(204).end());
  d.on('POST /containers/:id/wait', (_q, res) => d.json(res, 200, { StatusCode: 0 }));
  d.on('POST /networks/:id/connect', (_q, res) => void res.writeHead(200).end());
  runner = new CliRunner(d);
});
after(async () => {
  runner.close();
  await d.stop();
});

/** The networking part of a create body, with zero values dropped (Go sends them, berth omits them). */
function networking(r: SeenRequest | undefined): unknown {
  if (!r) return undefined;
  const b = JSON.parse(r.body.toString()) as Record<string, any>;
  const h = b.HostConfig ?? {};
  return {
    Hostname: b.Hostname ?? '',
    Domainname: b.Domainname ?? '',
    ExposedPorts: b.ExposedPorts ?? {},
    MacAddress: b.MacAddress ?? '',
    NetworkMode: h.NetworkMode,
    PortBindings: h.PortBindings ?? {},
    PublishAllPorts: !!h.PublishAllPorts,
    Links: h.Links ?? null,
    Dns: h.Dns,
    DnsOptions: h.DnsOptions,
    DnsSearch: h.DnsSearch,
    ExtraHosts: h.ExtraHosts ?? null,
    Endpoints: Object.fromEntries(Object.entries(b.NetworkingConfig?.EndpointsConfig ?? {}).map(([k, v]) => [k, dropZero(v)])),
  };
}

function dropZero(v: unknown): unknown {
  if (Array.isArray(v)) return v;
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const y = dropZero(x);
    if (y === null || y === '' || y === 0 || y === false || (Array.isArray(y) && y.length === 0)) continue;
    if (typeof y === 'object' && !Array.isArray(y) && Object.keys(y as object).length === 0) continue;
    out[k] = y;
  }
  return out;
}

// docker run -d also opens a wait request it abandons; berth's run -d does not.
const calls = (rs: SeenRequest[]): string[] => rs.filter((r) => r.path !== '/_ping' && !r.path.endsWith('/wait')).map((r) => `${r.method} ${r.path}`);

// Each line runs as `docker create <args> busybox` (or `run -d`) and `berth ...` against the same fake daemon.
const CASES: string[][] = [
  [],
  ['--network', 'n'],
  ['--network', 'n', '--network-alias', 'a', '--network-alias', 'b'],
  ['--net', 'n', '--net-alias', 'a'],
  ['--network', 'host'],
  ['--network', 'none'],
  ['--network', 'container:x'],
  ['--network', 'bridge', '--network-alias', 'a'],
  ['--network', 'none', '--link', 'a'],
  ['--network', 'a', '--network', 'b'],
  ['--network', 'a', '--net', 'b', '--network', 'c'],
  ['--network', 'a', '--network', 'a'],
  ['--network', 'a', '--network', 'host'],
  ['--network', 'name=N1,alias=A,ip=10.0.0.2', '--network', 'name=n2,driver-opt=com.x=Y,link-local-ip=169.254.0.1'],
  ['--network', 'name=n1,foo=bar'],
  ['--network', 'alias=x'],
  ['--network', 'name=n1,alias=x', '--network-alias', 'y'],
  ['--network', 'name=n1,ip=1.2.3.4', '--ip', '1.2.3.5'],
  ['--network', 'name=n1,gw-priority=x'],
  ['--network', 'name=n1,gw-priority=5'],
  ['--network', 'name=n1,driver-opt=novalue'],
  ['--network', ''],
  ['--ip', '10.0.0.5', '--ip6', 'fd00::5', '--link-local-ip', '169.254.9.9'],
  ['--network', 'n', '--ip', '10.1.2.3'],
  ['--network', 'n', '--network', 'm', '--ip', '10.1.2.3', '--network-alias', 'x'],
  ['--link', 'a:b', '--link', 'c'],
  ['--network', 'n', '--link', 'a:b'],
  ['--link', 'a:b:c'],
  ['--link', ''],
  ['--mac-address', '92:d0:c6:0a:29:33'],
  ['--mac-address', 'zz'],
  ['--network', 'name=n,mac-address=zz'],
  ['--dns', '1.1.1.1', '--dns', ' 2001:DB8::0001', '--dns', '::ffff:1.2.3.4', '--dns-search', 'example.com.', '--dns-option', 'ndots:2', '--dns-opt', 'x'],
  ['--dns', 'foo'],
  ['--dns', '010.0.0.1'],
  ['--dns-search', 'a b'],
  ['--dns-search', '.'],
  ['--dns-search', '123'],
  ['--add-host', 'a:1.2.3.4', '--add-host', 'b=::1', '--add-host', 'c:host-gateway', '--add-host', 'd=[::2]', '--add-host', 'e:0:0::1'],
  ['--add-host', 'bad'],
  ['--add-host', 'a:notip'],
  ['--add-host', ':1.2.3.4'],
  ['-h', 'hh', '--domainname', 'dd'],
  ['-p', '80', '-p', '1.2.3.4::81', '-p', '[::1]:82:82', '-p', '8000-8010:90', '-p', '100-101:200-201/udp', '--expose', '300-302', '--expose', '80/TCP', '-P'],
  ['-p', '8080:80', '-p', '127.0.0.1:9090:90/udp', '-p', '8443:443', '-p', '9443:443', '-p', '5000:5000/SCTP'],
  ['-p', '80:80:80:80'],
  ['-p', '8000-8001:80'],
  ['-p', '8000:80-81'],
  ['-p', '80/foo'],
  ['-p', 'abc'],
  ['-p', '70000'],
  ['-p', ':80'],
  ['-p', '80:'],
  ['-p', '1.2.3.4:80'],
  ['-p', '::1:8080:80'],
  ['-p', '[::1:8080:80'],
  ['-p', '0080:080'],
  ['-p', 'published=8080,target=80,protocol=udp'],
  ['-p', 'target=80'],
  ['-p', 'published=1,x'],
  ['--expose', '80:90'],
  ['--expose', '8000-'],
  ['--expose', '90-80'],
  ['--expose', '/udp'],
  ['--expose', '7/sctp', '--expose', '7'],
];

for (const args of CASES) {
  for (const verb of [['create'], ['run', '-d']]) {
    if (verb[0] === 'run' && !['--network', '--mac-address'].includes(args[0] ?? '')) continue;
    const line = [...verb, ...args, 'busybox'];
    test(`same as docker: ${line.map((a) => (a === '' ? "''" : a)).join(' ')}`, { skip: !hasDockerCli() && 'no docker CLI to compare with' }, async () => {
      const want = await runner.docker(line);
      const got = await runner.berth(line);
      assert.equal(got.err, asBerth(want.err), 'stderr');
      assert.equal(got.out, want.out, 'stdout');
      assert.equal(got.code, want.code, 'exit code');
      assert.deepEqual(calls(got.requests), calls(want.requests), 'requests');
      const create = (rs: SeenRequest[]): SeenRequest | undefined => rs.find((r) => r.path === '/containers/create');
      assert.deepEqual(networking(create(got.requests)), networking(create(want.requests)), 'create body');
    });
  }
}

const plan = (f: CreateFlags) => buildCreateRequest('busybox', [], f, false, {}).body;

test('several networks go in one create request, first one is the NetworkMode', () => {
  const b = plan({ network: [parseNetworkOpt('a'), parseNetworkOpt('name=b,alias=x')], networkAlias: ['y'] });
  assert.equal(b.HostConfig!.NetworkMode, 'a');
  assert.deepEqual(b.NetworkingConfig!.EndpointsConfig, { a: { Aliases: ['y'] }, b: { Aliases: ['x'] } });
});

test('a lone network without settings sends no endpoint; no network sends `default`', () => {
  assert.deepEqual(plan({ network: [parseNetworkOpt('n')] }).NetworkingConfig!.EndpointsConfig, {});
  assert.deepEqual(plan({}).NetworkingConfig!.EndpointsConfig, { default: {} });
  assert.deepEqual(endpointsConfig([], { ip: '10.0.0.2' }), { default: { IPAMConfig: { IPv4Address: '10.0.0.2' } } });
});

test('--link is a legacy link on the default bridge and an endpoint link on user networks', () => {
  const onDefault = plan({ link: ['a:b'] });
  assert.deepEqual(onDefault.HostConfig!.Links, ['a:b']);
  assert.deepEqual(onDefault.NetworkingConfig!.EndpointsConfig, { default: {} });
  const onUser = plan({ link: ['a:b'], network: [parseNetworkOpt('n')] });
  assert.deepEqual(onUser.NetworkingConfig!.EndpointsConfig, { n: { Links: ['a:b'] } });
});

test('the long --network form is lower-cased and needs a name', () => {
  const n = parseNetworkOpt('name=MyNet,alias=Web,driver-opt=K=V,gw-priority=3');
  assert.equal(n.target, 'mynet');
  assert.deepEqual(n.aliases, ['web']);
  assert.deepEqual(n.driverOpts, { k: 'v' });
  assert.equal(n.gwPriority, 3);
  assert.throws(() => parseNetworkOpt('alias=x'), /network name\/id is not specified/);
  assert.throws(() => parseNetworkOpt('name=x,bogus=1'), /invalid field key bogus/);
  assert.equal(parseNetworkOpt('plain-name').target, 'plain-name');
});

test('-p forms map like docker: ranges one to one, a host range for one port, ip::port', () => {
  const { exposed, bindings } = parsePortSpecs(['8000-8001:80-81', '9000-9010:90', '10.0.0.1::91', '[::1]:92:92/udp'], ['100-101']);
  assert.deepEqual(bindings, {
    '80/tcp': [{ HostIp: '', HostPort: '8000' }],
    '81/tcp': [{ HostIp: '', HostPort: '8001' }],
    '90/tcp': [{ HostIp: '', HostPort: '9000-9010' }],
    '91/tcp': [{ HostIp: '10.0.0.1', HostPort: '' }],
    '92/udp': [{ HostIp: '::1', HostPort: '92' }],
  });
  assert.deepEqual(Object.keys(exposed).sort(), ['100/tcp', '101/tcp', '80/tcp', '81/tcp', '90/tcp', '91/tcp', '92/udp']);
  assert.throws(() => parsePortSpecs(['8000:80-81'], []), /invalid ranges specified for container and host Ports: 80-81 and 8000/);
});
