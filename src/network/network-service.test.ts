import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineError } from '../shared/errors.js';
import { defaultNetworkConfig } from './network-config.js';
import { NetworkService } from './network-service.js';
import type { SandboxSpec } from './network-types.js';
import { RecordingNetHost } from './testing/recording-net-host.js';

async function open(host = new RecordingNetHost(), dir = mkdtempSync(join(tmpdir(), 'berth-netsvc-')), bip: string | null = '10.99.0.1/24') {
  const svc = await NetworkService.open({
    stateFile: join(dir, 'state.json'),
    host,
    config: { ...defaultNetworkConfig(), bridgeName: 'btest0', bip: bip ?? undefined, pools: [{ base: '10.100.0.0/16', size: 24 }] },
    hostResolvConf: () => 'nameserver 127.0.0.53\nsearch corp\n',
    dns: () => ({ listen: async () => 5353, unlisten: async () => {}, close: async () => {} }),
  });
  return { svc, host, dir };
}

const spec = (id: string, networks: SandboxSpec['networks'], extra: Partial<SandboxSpec> = {}): SandboxSpec => ({
  containerId: id.padEnd(64, '0'),
  name: `c-${id}`,
  hostname: id.padEnd(12, '0'),
  networks,
  ...extra,
});

const errorOf = async (p: Promise<unknown> | (() => unknown)): Promise<string> => {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    return EngineError.is(err) ? `${err.kind}: ${err.message}` : String(err);
  }
  return 'ok';
};

test('boot: predefined networks with random ids, default bridge from bip, admin table created once', async () => {
  const { svc, host, dir } = await open();
  try {
    const names = svc.list().map((n) => n.Name).sort();
    assert.deepEqual(names, ['bridge', 'host', 'none']);
    const ids = svc.list().map((n) => n.Id);
    assert.ok(ids.every((id) => /^[0-9a-f]{64}$/.test(id)));
    assert.notEqual(ids[0].slice(0, 12), ids[1].slice(0, 12));
    const bridge = svc.inspect('bridge');
    assert.deepEqual(bridge.IPAM.Config, [{ Subnet: '10.99.0.0/24', Gateway: '10.99.0.1' }]);
    assert.equal(bridge.IPAM.Options, null);
    assert.equal(bridge.Options['com.docker.network.bridge.name'], 'btest0');
    assert.deepEqual(host.bridges.get('btest0'), { address: '10.99.0.1/24', mtu: 1500 });
    assert.equal(host.sysctls.get('net.ipv4.ip_forward'), '1');
    assert.ok(host.tables.has('berth-btest0-user'));
    // reopened after a stop (close puts the records on disk): same ids, the admin table is not declared again
    await svc.close();
    const again = await open(host, dir);
    assert.deepEqual(again.svc.list().map((n) => n.Id).sort(), [...ids].sort());
    assert.equal(host.calls.filter((c) => c === 'nft').length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('boot without bip: the default bridge keeps the address its bridge already has (as dockerd with docker0), else the first free pool', async () => {
  const host = new RecordingNetHost();
  host.bridges.set('btest0', { address: '10.77.3.1/24', mtu: 1500 });
  const { svc, dir } = await open(host, undefined, null);
  try {
    assert.deepEqual(svc.inspect('bridge').IPAM.Config, [{ Subnet: '10.77.3.0/24', Gateway: '10.77.3.1' }]);
    assert.deepEqual(host.bridges.get('btest0'), { address: '10.77.3.1/24', mtu: 1500 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const fresh = await open(new RecordingNetHost(), undefined, null);
  try {
    assert.deepEqual(fresh.svc.inspect('bridge').IPAM.Config, [{ Subnet: '10.100.0.0/24', Gateway: '10.100.0.1' }]);
  } finally {
    rmSync(fresh.dir, { recursive: true, force: true });
  }
});

test('create: free subnet from the pools, user subnet checks with Docker wording, duplicates, predefined', async () => {
  const { svc, host, dir } = await open();
  try {
    const a = await svc.create({ Name: 'a' });
    assert.deepEqual(svc.inspect(a.Id).IPAM.Config, [{ Subnet: '10.100.0.0/24', Gateway: '10.100.0.1' }]);
    assert.ok(host.bridges.has(`br-${a.Id.slice(0, 12)}`));
    const b = await svc.create({ Name: 'b', IPAM: { Config: [{ Subnet: '10.200.0.0/16', Gateway: '10.200.5.5', IPRange: '10.200.1.0/24' }] }, Internal: true, Labels: { x: 'y' } });
    assert.deepEqual(svc.inspect('b').IPAM.Config, [{ Subnet: '10.200.0.0/16', Gateway: '10.200.5.5', IPRange: '10.200.1.0/24' }]);
    assert.equal(svc.inspect(b.Id).Internal, true);
    assert.equal(await errorOf(svc.create({ Name: 'c', IPAM: { Config: [{ Subnet: '10.200.3.0/24' }] } })), 'forbidden: Pool overlaps with other one on this address space');
    assert.equal(await errorOf(svc.create({ Name: 'a' })), 'conflict: network with name a already exists');
    assert.equal(await errorOf(svc.create({ Name: 'd', IPAM: { Config: [{ Subnet: '10.201.0.0/24', Gateway: '10.9.9.9' }] } })), 'forbidden: no matching subnet for gateway 10.9.9.9');
    assert.equal(await errorOf(svc.create({ Name: 'e', IPAM: { Config: [{ Subnet: '10.202.0.1/24' }] } })), 'invalid-argument: invalid subnet 10.202.0.1/24 : it should be 10.202.0.0/24');
    assert.equal(await errorOf(svc.create({ Name: 'f', Driver: 'overlay' })), 'not-found: plugin "overlay" not found');
    assert.match(await errorOf(svc.create({ Name: 'host' })), /^forbidden: /);
    assert.match(await errorOf(svc.remove('bridge')), /^forbidden: bridge is a pre-defined network and cannot be removed/);
    // CheckDuplicate: false (API 1.43) allows a second network of the same name; the name is then ambiguous
    await svc.create({ Name: 'a', CheckDuplicate: false });
    assert.match(await errorOf(() => svc.inspect('a')), /ambiguous/);
    assert.equal(svc.list(new Map([['label', ['x=y']]])).length, 1);
    assert.deepEqual((await svc.prune(new Map([['label', ['x']]]))).NetworksDeleted, ['b']);
    assert.ok(!host.bridges.has(`br-${b.Id.slice(0, 12)}`), 'pruned bridge deleted');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('attach: addresses, MAC from IP, default route via the first non-internal network, DNS names, hosts/resolv files; detach undoes it', async () => {
  const { svc, host, dir } = await open();
  try {
    await svc.create({ Name: 'u', IPAM: { Config: [{ Subnet: '10.150.0.0/24' }] } });
    const info = await svc.attach(spec('aa', [{ ref: 'default', config: {} }], { extraHosts: ['db:10.1.1.1'] }));
    assert.equal(info.netnsPath, `/run/netns/berth-${'aa'.padEnd(64, '0')}`);
    assert.match(info.hosts, /^10\.1\.1\.1\tdb\n10\.99\.0\.2\taa0000000000\n$/m);
    assert.equal(info.resolvConf, 'search corp\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n');
    const v = svc.view('aa'.padEnd(64, '0'), { bridge: {} }, { '80/tcp': {} });
    assert.equal(v.networks.bridge.IPAddress, '10.99.0.2');
    assert.equal(v.networks.bridge.MacAddress, '02:42:0a:63:00:02');
    assert.equal(v.networks.bridge.Aliases, null);
    assert.deepEqual(v.ports, { '80/tcp': null });
    assert.equal(v.bridge?.Gateway, '10.99.0.1');

    const two = await svc.attach(spec('bb', [{ ref: 'u', config: { Aliases: ['web'], IPAMConfig: { IPv4Address: '10.150.0.9' } } }, { ref: 'bridge', config: {} }]));
    assert.match(two.resolvConf, /^nameserver 127\.0\.0\.11$/m);
    assert.match(host.lastRuleset, /iifname "br-\w+" ip daddr \{ 127\.0\.0\.11, 10\.150\.0\.1 \} udp dport 53 dnat to 10\.150\.0\.1:5353/);
    assert.match(two.resolvConf, /^options ndots:0$/m);
    const vb = svc.view('bb'.padEnd(64, '0'), {}, null);
    assert.equal(vb.networks.u.IPAddress, '10.150.0.9');
    assert.deepEqual(vb.networks.u.Aliases, ['web', 'bb0000000000']);
    assert.equal(vb.networks.bridge.IPAddress, '10.99.0.3');
    const veths = host.calls.filter((c) => c.startsWith('veth'));
    assert.match(veths[1], /eth0@berth-bb0+ 10\.150\.0\.9\/24 02:42:0a:96:00:09 master br-\w+ gw 10\.150\.0\.1 dns 127\.0\.0\.11$/);
    assert.match(veths[2], /eth1@berth-bb0+ 10\.99\.0\.3\/24 .* master btest0$/);
    assert.equal(await errorOf(svc.attach(spec('cc', [{ ref: 'u', config: { IPAMConfig: { IPv4Address: '10.150.0.9' } } }]))), 'forbidden: Address already in use');
    assert.equal(await errorOf(svc.attach(spec('cc', [{ ref: 'bridge', config: { IPAMConfig: { IPv4Address: '10.99.0.50' } } }]))), 'invalid-argument: user specified IP address is supported on user defined networks only');
    assert.equal(host.namespaces.size, 2, 'failed attaches leave no namespace');
    assert.match(await errorOf(svc.remove('u')), /has active endpoints/);

    await svc.detach('bb'.padEnd(64, '0'));
    assert.equal(host.namespaces.size, 1);
    assert.equal(svc.view('bb'.padEnd(64, '0'), { u: {} }, null).networks.u.IPAddress, '');
    const again = await svc.attach(spec('dd', [{ ref: 'u', config: {} }]));
    assert.ok(again);
    assert.equal(svc.view('dd'.padEnd(64, '0'), {}, null).networks.u.IPAddress, '10.150.0.2', 'lowest free address');
    await svc.remove('u').catch(() => {});
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('DNS scope: names on shared user networks only, short id, alias, name.network, reverse, upstreams', async () => {
  const { svc, dir } = await open();
  try {
    await svc.create({ Name: 'n1', IPAM: { Config: [{ Subnet: '10.160.0.0/24' }] } });
    await svc.create({ Name: 'n2', IPAM: { Config: [{ Subnet: '10.161.0.0/24' }] } });
    await svc.create({ Name: 'internal', Internal: true, IPAM: { Config: [{ Subnet: '10.162.0.0/24' }] } });
    await svc.attach(spec('a1', [{ ref: 'n1', config: { Aliases: ['db'] } }]));
    await svc.attach(spec('a2', [{ ref: 'n1', config: {} }, { ref: 'n2', config: {} }], { dns: ['127.0.0.77'] }));
    await svc.attach(spec('a3', [{ ref: 'n2', config: {} }]));
    await svc.attach(spec('a4', [{ ref: 'internal', config: {} }]));
    const names = (svc as unknown as { names: import('./dns-names.js').DnsNames }).names;
    assert.deepEqual(names.lookup('10.160.0.1', '10.160.0.3', 'C-A1'), ['10.160.0.2']);
    assert.deepEqual(names.lookup('10.160.0.1', '10.160.0.3', 'db'), ['10.160.0.2']);
    assert.deepEqual(names.lookup('10.160.0.1', '10.160.0.3', 'a10000000000'), ['10.160.0.2']);
    assert.deepEqual(names.lookup('10.160.0.1', '10.160.0.3', 'c-a1.n1'), ['10.160.0.2']);
    assert.deepEqual(names.lookup('10.160.0.1', '10.160.0.3', 'c-a3'), ['10.161.0.3'], 'a2 is on n2 too');
    assert.equal(names.lookup('10.160.0.1', '10.160.0.2', 'c-a3'), undefined, 'a1 shares no network with a3');
    assert.equal(names.reverse('10.160.0.1', '10.160.0.3', '10.160.0.2'), 'c-a1.n1');
    assert.deepEqual(names.upstreams('10.160.0.1', '10.160.0.3'), ['127.0.0.77']);
    assert.deepEqual(names.upstreams('10.160.0.1', '10.160.0.2'), ['127.0.0.53'], 'the host resolvers, loopback included (we forward from the host)');
    assert.deepEqual(names.upstreams('10.162.0.1', '10.162.0.2'), [], 'internal: no forwarding');
    await svc.detach('a1'.padEnd(64, '0'));
    assert.equal(names.lookup('10.160.0.1', '10.160.0.3', 'db'), undefined, 'gone after stop');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('published ports: held sockets, DNAT rules from the records, ranges are one rule, released at detach; reconcile', async () => {
  const { svc, host, dir } = await open();
  try {
    const id = 'p1'.padEnd(64, '0');
    await svc.attach(
      spec('p1', [{ ref: 'bridge', config: {} }], {
        portBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }], '53/udp': [{ HostPort: '' }] },
        exposedPorts: { '80/tcp': {}, '53/udp': {}, '9000/tcp': {} },
      }),
    );
    const v = svc.view(id, {}, { '80/tcp': {}, '53/udp': {}, '9000/tcp': {} });
    const tcp = Number(v.ports['80/tcp']![0].HostPort);
    assert.equal(v.ports['80/tcp']![0].HostIp, '127.0.0.1');
    assert.ok(tcp > 1024);
    assert.equal(v.ports['9000/tcp'], null);
    assert.match(host.lastRuleset, new RegExp(`ip daddr 127\\.0\\.0\\.1 tcp dport ${tcp} dnat to 10\\.99\\.0\\.2:80`));
    assert.doesNotMatch(host.lastRuleset.split('chain published_local')[0], new RegExp(`dport ${tcp} `), 'loopback-published ports are never DNATed from outside');
    // the port is really held: a second container cannot take it
    const err = await errorOf(svc.attach(spec('p2', [{ ref: 'bridge', config: {} }], { portBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(tcp) }] } })));
    assert.match(err, new RegExp(`Bind for 127\\.0\\.0\\.1:${tcp} failed: port is already allocated`));
    await svc.detach(id);
    assert.doesNotMatch(host.lastRuleset, /dnat to 10\.99\.0\.2/);
    // ranges with the same shift are one rule
    const base = 20000 + Math.floor(Math.random() * 20000);
    const bindings: Record<string, { HostPort: string }[]> = {};
    for (let i = 0; i < 100; i++) bindings[`${base + i}/tcp`] = [{ HostPort: String(base + i) }];
    await svc.attach(spec('p3', [{ ref: 'bridge', config: {} }], { portBindings: bindings }));
    const rules = host.lastRuleset.split('\n').filter((l) => l.includes('dnat to 10.99.0.'));
    assert.deepEqual(rules.map((l) => l.trim()), [`ip daddr != 127.0.0.0/8 tcp dport ${base}-${base + 99} dnat to 10.99.0.2`, `tcp dport ${base}-${base + 99} dnat to 10.99.0.2`]);
    // reconcile: a sandbox whose container is gone is torn down; rules rewritten
    await svc.reconcile(new Set());
    assert.equal(host.namespaces.size, 0);
    assert.doesNotMatch(host.lastRuleset, /dnat to 10\.99\.0\./);
    await svc.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
