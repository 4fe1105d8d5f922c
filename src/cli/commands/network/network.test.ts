import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FakeDaemon, type SeenRequest } from '../../../api-client/testing/fake-daemon.js';
import { CliRunner, asBerth, hasDockerCli } from '../../testing/cli-runner.js';
import { portLines } from '../container/port.js';
import { networkCreateRequest } from './create.js';
import { ipamPools } from './ipam-config.js';

const hex = (c: string): string => c.repeat(64);
const NETWORKS = [
  { Name: 'net10', Id: hex('a'), Created: '2026-01-02T03:04:05.123456789Z', Scope: 'local', Driver: 'bridge', EnableIPv6: false, IPAM: { Driver: 'default', Options: {}, Config: [{ Subnet: '10.250.10.0/24', Gateway: '10.250.10.1' }] }, Internal: true, Attachable: false, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false, Containers: {}, Options: {}, Labels: { 'com.example.team': 'a<b>&c' } },
  { Name: 'net9', Id: hex('b'), Created: '2026-01-02T03:04:05Z', Scope: 'local', Driver: 'bridge', EnableIPv6: true, IPAM: { Driver: 'default', Options: null, Config: [] }, Internal: false, Attachable: true, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false, Containers: { [hex('c')]: { Name: 'web', EndpointID: hex('d'), MacAddress: '02:42:0a:fa:0a:02', IPv4Address: '10.250.10.2/24', IPv6Address: '' } }, Options: { 'com.docker.network.driver.mtu': '1400' }, Labels: {} },
  { Name: 'host', Id: hex('1'), Created: '2026-01-01T00:00:00.5+02:00', Scope: 'local', Driver: 'host', EnableIPv6: false, IPAM: { Driver: 'default', Options: null, Config: [] }, Internal: false, Attachable: false, Ingress: false, ConfigFrom: { Network: '' }, ConfigOnly: false, Containers: {}, Options: {}, Labels: { z: '' } },
];
// What Go's encoder sends: HTML characters escaped, a trailing newline.
const raw = (n: unknown): string => `${JSON.stringify(n).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')}\n`;
const PORTS = {
  '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '::', HostPort: '8080' }],
  '443/tcp': [{ HostIp: '0.0.0.0', HostPort: '9443' }, { HostIp: '0.0.0.0', HostPort: '8443' }],
  '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }],
  '9/tcp': null,
  '1000/tcp': [{ HostIp: '', HostPort: '' }],
};

let d: FakeDaemon;
let runner: CliRunner;

before(async () => {
  d = await FakeDaemon.start('1.43');
  const find = (id: string) => NETWORKS.find((n) => n.Name === id || n.Id.startsWith(id));
  d.on('GET /networks', (_q, res) => d.json(res, 200, NETWORKS));
  d.on('GET /networks/:id', (q, res) => {
    const n = find(decodeURIComponent(q.path.split('/')[2]!));
    if (!n) return d.error(res, 404, `network ${decodeURIComponent(q.path.split('/')[2]!)} not found`);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(raw(n));
  });
  d.on('DELETE /networks/:id', (q, res) => {
    const id = decodeURIComponent(q.path.split('/')[2]!);
    if (id === 'busy') return d.error(res, 403, `error while removing network: network busy id ${hex('9')} has active endpoints`);
    if (!find(id)) return d.error(res, 404, `network ${id} not found`);
    res.writeHead(204).end();
  });
  d.on('POST /networks/create', (q, res) => {
    const b = JSON.parse(q.body.toString()) as { Name: string };
    if (b.Name === 'dup') return d.error(res, 409, 'network with name dup already exists');
    d.json(res, 201, { Id: hex('f'), Warning: '' });
  });
  d.on('POST /networks/:id/connect', (q, res) => (q.path.includes('nope') ? d.error(res, 404, 'network nope not found') : void res.writeHead(200).end()));
  d.on('POST /networks/:id/disconnect', (q, res) => (q.path.includes('nope') ? d.error(res, 404, 'network nope not found') : void res.writeHead(200).end()));
  d.on('POST /networks/prune', (q, res) => d.json(res, 200, { NetworksDeleted: q.query.get('filters')?.includes('none') ? null : ['net9', 'net10'] }));
  d.on('GET /containers/:id/json', (q, res) => {
    if (q.path.includes('nope')) return d.error(res, 404, 'No such container: nope');
    d.json(res, 200, { Id: hex('c'), Name: '/web', NetworkSettings: { Ports: q.path.includes('bare') ? {} : PORTS } });
  });
  runner = new CliRunner(d);
});
after(async () => {
  runner.close();
  await d.stop();
});

/** A request as the daemon would read it: method, path, query, JSON body. */
function wire(r: SeenRequest): unknown {
  const body = r.body.length ? (JSON.parse(r.body.toString()) as Record<string, unknown>) : undefined;
  const q = Object.fromEntries([...r.query].map(([k, v]) => [k, k === 'filters' ? JSON.stringify(normalizeFilters(JSON.parse(v))) : v]));
  // docker orders several IPAM pools by Go map iteration (random): compare them as a set.
  const ipam = body?.IPAM as { Config?: { Subnet?: string }[] } | undefined;
  ipam?.Config?.sort((a, b) => String(a.Subnet).localeCompare(String(b.Subnet)));
  return { call: `${r.method} ${r.path}`, q, body: body && dropZero(body) };
}

/** `{"k":{"v":true}}` (Go) and `{"k":["v"]}` are the same filter. */
function normalizeFilters(f: Record<string, string[] | Record<string, boolean>>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(f).map(([k, v]) => [k, (Array.isArray(v) ? v : Object.keys(v)).sort()]));
}

function dropZero(v: unknown): unknown {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (['NetworkID', 'EndpointID', 'Gateway', 'IPAddress', 'IPPrefixLen', 'IPv6Gateway', 'GlobalIPv6Address', 'GlobalIPv6PrefixLen', 'DNSNames', 'MacAddress', 'GwPriority'].includes(k) && !x) continue;
    out[k] = dropZero(x);
  }
  return out;
}

const requests = (rs: SeenRequest[]): unknown[] => rs.filter((r) => r.path !== '/_ping').map(wire);

const CASES: { args: string[]; input?: string }[] = [
  { args: ['network'] },
  { args: ['network', 'bogus'] },
  { args: ['network', 'ls'] },
  { args: ['network', 'list', '-q'] },
  { args: ['network', 'ls', '--no-trunc'] },
  { args: ['network', 'ls', '--format', 'json'] },
  { args: ['network', 'ls', '--format', '{{.Name}}|{{.Labels}}|{{.Label "com.example.team"}}|{{.CreatedAt}}|{{.IPv6}}|{{.Internal}}'] },
  { args: ['network', 'ls', '--format', 'table {{.Name}}\\t{{.Label "com.example.team"}}\\t{{upper .Driver}}\\t{{.CreatedAt}}'] },
  { args: ['network', 'ls', '--format', 'table'] },
  { args: ['network', 'ls', '--format', 'table', '-q'] },
  { args: ['network', 'ls', '--format', '{{.Name}}', '-q'] },
  { args: ['network', 'ls', '--format', 'raw'] },
  { args: ['network', 'ls', '-f', 'driver=bridge', '--filter', 'Label=a=b', '-f', ' name = x '] },
  { args: ['network', 'ls', '-f', 'nokey'] },
  { args: ['network', 'ls', 'extra'] },
  { args: ['network', 'inspect', 'net10', 'net9'] },
  { args: ['network', 'inspect', '--format', 'json', 'net10', 'host'] },
  { args: ['network', 'inspect', '-v', '-f', '{{.Name}} {{.Created}} {{.IPAM.Config}} {{.ID}} {{.EnableIPv6}}', 'net10', 'nope', 'net9'] },
  { args: ['network', 'inspect', '-f', '{{json .}}', 'host'] },
  { args: ['network', 'inspect', '-f', '{{.Containers}}|{{.IPAM}}|{{.ConfigFrom}}|{{json .Labels}}', 'net9', 'net10'] },
  { args: ['network', 'inspect', '-f', '{{.Id}} {{range .IPAM.Config}}{{.Subnet}}{{end}}', 'net10'] },
  { args: ['network', 'inspect', '-f', '{{.Name}}', 'nope'] },
  { args: ['network', 'inspect', 'nope', 'nope2'] },
  { args: ['network', 'inspect'] },
  { args: ['network', 'inspect', ' '] },
  { args: ['network', 'rm', 'net9', 'nope', 'busy', 'net10'] },
  { args: ['network', 'remove', '-f', 'nope', 'net9'] },
  { args: ['network', 'rm'] },
  { args: ['network', 'create', 'plain'] },
  { args: ['network', 'create', 'dup'] },
  { args: ['network', 'create', '-d', 'macvlan', '--subnet', '10.250.3.0/24', '--gateway', '10.250.3.254', '--ip-range', '10.250.3.128/25', '--aux-address', 'r1=10.250.3.5', '--aux-address', 'r2=10.250.3.6', '--internal', '--attachable', '--ingress', '--config-only', '--config-from', 'x', '--scope', 'local', '--ipam-driver', 'ipd', '--ipam-opt', 'a=b', '--ipam-opt', 'c', '-o', 'com.docker.network.driver.mtu=1400', '--opt', 'k=v=w', '--label', 'l1', '--label', 'l2=v2', 'full'] },
  { args: ['network', 'create', '--ipv6', '--ipv4=false', 'v6'] },
  { args: ['network', 'create', '--ipv6=false', '--ipv4', 'v4'] },
  { args: ['network', 'create', '--subnet', '10.250.4.0/24,10.250.5.0/24', '--gateway', '10.250.5.1', 'two'] },
  { args: ['network', 'create', '--gateway', '10.0.0.1', 'x'] },
  { args: ['network', 'create', '--subnet', '10.0.0.0/8', '--subnet', '10.1.0.0/16', 'x'] },
  { args: ['network', 'create', '--subnet', 'bogus', 'x'] },
  { args: ['network', 'create', '--subnet', '10.0.0.0/8', '--ip-range', '11.0.0.0/24', 'x'] },
  { args: ['network', 'create', '--subnet', '10.0.0.0/8', '--ip-range', 'bad', 'x'] },
  { args: ['network', 'create', '--subnet', '10.0.0.0/8', '--gateway', '11.0.0.1', 'x'] },
  { args: ['network', 'create', '--subnet', '10.0.0.0/8', '--aux-address', 'a=12.0.0.1', 'x'] },
  { args: ['network', 'create', '--subnet', '10.0.0.0/8', '--gateway', '10.0.0.1', '--gateway', '10.0.0.2', '--subnet', '12.0.0.0/8', 'x'] },
  { args: ['network', 'create', '--label', ' ', 'x'] },
  { args: ['network', 'create', '--subnet', '"a', 'x'] },
  { args: ['network', 'create'] },
  { args: ['network', 'create', 'a', 'b'] },
  { args: ['network', 'connect', 'net9', 'web'] },
  { args: ['network', 'connect', '--alias', 'a,b', '--alias', 'c', '--ip', '10.250.10.9', '--ip6', 'fd00::9', '--link', 'db:d', '--link', 'x', '--link-local-ip', '169.254.0.9', '--driver-opt', 'k=v', '--gw-priority', '5', 'net9', 'web'] },
  { args: ['network', 'connect', '--driver-opt', 'nokv', 'net9', 'web'] },
  { args: ['network', 'connect', '--link', 'a:b:c', 'net9', 'web'] },
  { args: ['network', 'connect', '--gw-priority', 'x', 'net9', 'web'] },
  { args: ['network', 'connect', 'nope', 'web'] },
  { args: ['network', 'connect', 'net9'] },
  { args: ['network', 'disconnect', 'net9', 'web'] },
  { args: ['network', 'disconnect', '-f', 'net9', 'web'] },
  { args: ['network', 'disconnect', 'nope', 'web'] },
  { args: ['network', 'disconnect', 'net9', 'web', 'x'] },
  { args: ['network', 'prune', '-f'] },
  { args: ['network', 'prune', '--force', '--filter', 'label=none', '--filter', 'until=1h'] },
  { args: ['network', 'prune'], input: 'y\n' },
  { args: ['network', 'prune'], input: 'yes\n' },
  { args: ['network', 'prune'], input: 'n\n' },
  { args: ['network', 'prune'] },
  { args: ['network', 'prune', 'x'] },
  { args: ['port', 'web'] },
  { args: ['port', 'web', '443'] },
  { args: ['port', 'web', '80/tcp'] },
  { args: ['port', 'web', '53/udp'] },
  { args: ['port', 'web', '9'] },
  { args: ['port', 'web', '1000'] },
  { args: ['port', 'web', '81/tcp'] },
  { args: ['port', 'web', 'x/udp'] },
  { args: ['port', 'web', '65536'] },
  { args: ['port', 'web', '/udp'] },
  { args: ['port', 'bare'] },
  { args: ['container', 'port', 'web', '53/udp'] },
  { args: ['port', 'nope'] },
  { args: ['port'] },
  { args: ['port', 'a', 'b', 'c'] },
];

for (const c of CASES) {
  test(`same as docker: ${c.args.join(' ')}${c.input ? ` <<< ${JSON.stringify(c.input)}` : ''}`, { skip: !hasDockerCli() && 'no docker CLI to compare with' }, async () => {
    const want = await runner.docker(c.args, c.input);
    const got = await runner.berth(c.args, c.input);
    assert.equal(got.out, want.out, 'stdout');
    assert.equal(got.err, asBerth(want.err), 'stderr');
    assert.equal(got.code, want.code, 'exit code');
    assert.deepEqual(requests(got.requests), requests(want.requests), 'requests');
  });
}

test('create: IPAM pools, CheckDuplicate and IPv4/IPv6 only when given', async () => {
  const r = await runner.berth(['network', 'create', '--subnet', '10.9.0.0/16', '--gateway', '10.9.0.1', '--ipv6', 'n1']);
  assert.equal(r.out, `${hex('f')}\n`);
  const body = JSON.parse(r.requests.find((x) => x.path === '/networks/create')!.body.toString());
  assert.equal(body.CheckDuplicate, true);
  assert.equal(body.EnableIPv6, true);
  assert.equal('EnableIPv4' in body, false);
  assert.deepEqual(body.IPAM, { Driver: 'default', Options: {}, Config: [{ Subnet: '10.9.0.0/16', Gateway: '10.9.0.1' }] });
  assert.deepEqual(networkCreateRequest('x', { driver: 'bridge', ipamDriver: 'default' }).IPAM, { Driver: 'default', Options: {}, Config: [] });
  assert.throws(() => ipamPools({ subnets: ['10.0.0.0/24'], ipRanges: [], gateways: ['10.0.1.1'], auxAddresses: {} }), /no matching subnet for gateway 10.0.1.1/);
});

test('port: lines in natural order, IPv6 hosts bracketed, errors like docker', () => {
  assert.equal(portLines(PORTS, 'web'), '53/udp -> 127.0.0.1:5353\n80/tcp -> 0.0.0.0:8080\n80/tcp -> [::]:8080\n443/tcp -> 0.0.0.0:8443\n443/tcp -> 0.0.0.0:9443\n1000/tcp -> :\n');
  assert.equal(portLines(PORTS, 'web', '80'), '0.0.0.0:8080\n[::]:8080\n');
  assert.throws(() => portLines(PORTS, 'web', '81'), /Error: No public port '81' published for web$/);
  assert.throws(() => portLines(PORTS, 'web', 'abc'), /invalid port \(abc\): strconv.ParseUint: parsing "abc": invalid syntax/);
});

test('network appears in help like docker lists it', async () => {
  const top = await runner.berth(['--help']);
  assert.match(top.out, /^ {2}network {5}Manage networks$/m);
  assert.match(top.out, /^ {2}port {8}List port mappings or a specific mapping for the container$/m);
  const group = await runner.berth(['network', '--help']);
  assert.match(group.out, /Commands:\n {2}connect {5}Connect a container to a network\n {2}create {6}Create a network\n {2}disconnect {2}Disconnect/);
});
