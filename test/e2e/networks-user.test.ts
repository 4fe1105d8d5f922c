import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachTarget, runCommand, testSubnet, uniq } from './harness.js';
import { containerAddrs, containerLinks, httpBody, httpdCommand, inSubnet, ncGetCommand, parseIpAddr } from './lib/net-probes.js';

/** User-defined bridge networks (issue 6 §2) through the docker CLI. */
forEachTarget('user-defined networks', (t) => {
  const containers: string[] = [];
  const networks: string[] = [];
  const ctr = (p: string) => {
    const n = uniq(p);
    containers.push(n);
    return n;
  };
  const netName = (p: string) => {
    const n = uniq(p);
    networks.push(n);
    return n;
  };
  after(async () => {
    if (containers.length) await t().docker(['rm', '-f', ...containers]);
    for (const n of networks) await t().docker(['network', 'rm', n]);
  });
  const ok = async (args: string[]) => {
    const r = await t().docker(args, { timeoutMs: 90_000 });
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const inspectNet = async (n: string) => {
    const r = await t().api('GET', `/networks/${n}`);
    assert.equal(r.status, 200, r.body);
    return r.json<Record<string, any>>();
  };
  const inspectCtr = async (c: string) => {
    const r = await t().api('GET', `/containers/${c}/json`);
    assert.equal(r.status, 200, r.body);
    return r.json<Record<string, any>>();
  };

  test('create --subnet --gateway --ip-range --label -o bridge.name: inspect, ls, the host bridge', async () => {
    const { subnet, prefix } = testSubnet(0);
    const n = netName('net');
    const br = `btn${process.pid % 100000}a`;
    const id = await ok(['network', 'create', '--subnet', subnet, '--gateway', `${prefix}.254`, '--ip-range', `${prefix}.128/25`, '--label', 'team=blue', '-o', `com.docker.network.bridge.name=${br}`, n]);
    assert.match(id, /^[0-9a-f]{64}$/);
    const ins = await inspectNet(n);
    assert.equal(ins.Name, n);
    assert.equal(ins.Id, id);
    assert.equal(ins.Driver, 'bridge');
    assert.equal(ins.Scope, 'local');
    assert.equal(ins.Internal, false);
    assert.equal(ins.Attachable, false);
    assert.equal(ins.EnableIPv6, false);
    assert.equal(ins.IPAM.Driver, 'default');
    assert.deepEqual(ins.IPAM.Config, [{ Subnet: subnet, IPRange: `${prefix}.128/25`, Gateway: `${prefix}.254` }]);
    assert.deepEqual(ins.Labels, { team: 'blue' });
    assert.deepEqual(ins.Options, { 'com.docker.network.bridge.name': br });
    assert.deepEqual(ins.Containers, {});
    const host = await runCommand('ip', ['-o', '-4', 'addr', 'show', 'dev', br]);
    assert.equal(host.code, 0, `the network's bridge ${br} is missing on the host: ${host.stderr}`);
    assert.match(host.stdout, new RegExp(`inet ${prefix.replace(/\./g, '\\.')}\\.254/24 `));

    const ls = await ok(['network', 'ls', '--filter', 'label=team=blue', '--format', '{{.ID}} {{.Name}} {{.Driver}} {{.Scope}}']);
    assert.equal(ls, `${id.slice(0, 12)} ${n} bridge local`);
    assert.equal(await ok(['network', 'ls', '-q', '--filter', `name=${n}`]), id.slice(0, 12));
    const all = (await ok(['network', 'ls', '--format', '{{.Name}}'])).split('\n');
    for (const p of ['bridge', 'host', 'none', n]) assert.ok(all.includes(p), `${p} missing from network ls: ${all}`);
    const drv = (await ok(['network', 'ls', '--filter', 'driver=null', '--format', '{{.Name}}'])).split('\n');
    assert.deepEqual(drv, ['none']);

    // the first address comes from --ip-range
    const c = ctr('rng');
    await ok(['run', '-d', '--name', c, '--network', n, 'busybox', 'sleep', '300']);
    const ip = (await inspectCtr(c)).NetworkSettings.Networks[n].IPAddress as string;
    assert.ok(inSubnet(ip, `${prefix}.128/25`), `${ip} not in --ip-range ${prefix}.128/25`);
    assert.equal((await inspectCtr(c)).NetworkSettings.Networks[n].Gateway, `${prefix}.254`);
  });

  test('create without --subnet takes a subnet from the pool; IPAM Options null via the API', async () => {
    const n = netName('pool');
    const cr = await t().api('POST', '/networks/create', { Name: n });
    assert.equal(cr.status, 201, cr.body);
    assert.deepEqual(Object.keys(cr.json()).sort(), ['Id', 'Warning']);
    const ins = await inspectNet(n);
    assert.equal(ins.IPAM.Options, null);
    assert.equal(ins.IPAM.Config.length, 1);
    const { Subnet, Gateway } = ins.IPAM.Config[0];
    assert.match(Subnet, /^\d+\.\d+\.\d+\.0\/24$/);
    assert.ok(inSubnet(Gateway, Subnet), JSON.stringify(ins.IPAM));
    if (t().daemon) {
      const base = /base=([^,]+)/.exec(t().daemon!.pools[0]!)![1]!;
      assert.ok(inSubnet(Subnet.split('/')[0], base), `${Subnet} is not from berthd's --default-address-pool ${base}`);
    }
    const bridgeSubnet = (await inspectNet('bridge')).IPAM.Config[0].Subnet as string;
    assert.notEqual(Subnet, bridgeSubnet);
  });

  test('--internal: Internal true, containers get an address on it', async () => {
    // Docker 20.10 without iptables (the oracle) still gives a default route on an internal
    // network (its isolation is iptables rules); berth's "no egress" is in networks-berth.test.ts.
    const { subnet } = testSubnet(1);
    const n = netName('int');
    await ok(['network', 'create', '--internal', '--subnet', subnet, n]);
    assert.equal((await inspectNet(n)).Internal, true);
    const ls = await ok(['network', 'ls', '--filter', `name=${n}`, '--format', '{{.Name}} {{.Internal}}']);
    assert.equal(ls, `${n} true`);
    const r = await t().docker(['run', '--rm', '--network', n, 'busybox', 'ip', '-o', '-4', 'addr', 'show', 'dev', 'eth0']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(inSubnet(/inet (\S+)\//.exec(r.stdout)![1]!, subnet), r.stdout);
  });

  test('run --network N --ip A --network-alias X: eth0 = A, inspect endpoints on both sides', async () => {
    const { subnet, prefix } = testSubnet(2);
    const n = netName('ipn');
    const nid = await ok(['network', 'create', '--subnet', subnet, n]);
    const c = ctr('ipc');
    const id = await ok(['run', '-d', '--name', c, '--network', n, '--ip', `${prefix}.50`, '--network-alias', 'xa', '--network-alias', 'xb', 'busybox', 'sleep', '300']);
    const addrs = await containerAddrs(t(), c);
    assert.deepEqual(addrs.map((a) => [a.ifname, a.address, a.prefix]), [['eth0', `${prefix}.50`, 24]]);
    const ci = await inspectCtr(c);
    assert.equal(ci.HostConfig.NetworkMode, n);
    assert.deepEqual(Object.keys(ci.NetworkSettings.Networks), [n]);
    const ep = ci.NetworkSettings.Networks[n];
    assert.deepEqual(ep.IPAMConfig, { IPv4Address: `${prefix}.50` });
    assert.deepEqual([...ep.Aliases].sort(), ['xa', 'xb', id.slice(0, 12)].sort());
    assert.equal(ep.NetworkID, nid);
    assert.equal(ep.IPAddress, `${prefix}.50`);
    assert.equal(ep.IPPrefixLen, 24);
    assert.equal(ep.Gateway, `${prefix}.1`);
    assert.match(ep.EndpointID, /^[0-9a-f]{64}$/);
    assert.match(ep.MacAddress, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    // the legacy top-level fields describe the default bridge only
    assert.equal(ci.NetworkSettings.IPAddress, '');
    assert.equal(ci.NetworkSettings.Gateway, '');
    const ni = await inspectNet(n);
    assert.deepEqual(ni.Containers, {
      [id]: { Name: c, EndpointID: ep.EndpointID, MacAddress: ep.MacAddress, IPv4Address: `${prefix}.50/24`, IPv6Address: '' },
    });
    // the container's gateway is the network's bridge on the host
    const r = await t().docker(['exec', c, 'ip', 'route']);
    assert.match(r.stdout, new RegExp(`^default via ${prefix.replace(/\./g, '\\.')}\\.1 dev eth0`, 'm'));
  });

  test('network rm is refused while a container is attached (Docker\'s words), then works', async () => {
    const { subnet } = testSubnet(3);
    const n = netName('busy');
    const nid = await ok(['network', 'create', '--subnet', subnet, n]);
    const c = ctr('busyc');
    await ok(['run', '-d', '--name', c, '--network', n, 'busybox', 'sleep', '300']);
    const r = await t().docker(['network', 'rm', n]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `Error response from daemon: error while removing network: network ${n} id ${nid} has active endpoints\nexit status 1\n`);
    assert.equal((await t().api('GET', `/networks/${n}`)).status, 200);
    const api = await t().api('DELETE', `/networks/${n}`);
    assert.equal(api.status, 403, api.body);
    await ok(['rm', '-f', c]);
    assert.equal(await ok(['network', 'rm', n]), n);
    assert.equal((await t().api('GET', `/networks/${n}`)).status, 404);
  });

  test('predefined networks cannot be removed', async () => {
    for (const p of ['bridge', 'host', 'none']) {
      const r = await t().docker(['network', 'rm', p]);
      assert.equal(r.code, 1, p);
      assert.equal(r.stderr, `Error response from daemon: ${p} is a pre-defined network and cannot be removed\nexit status 1\n`);
      const api = await t().api('DELETE', `/networks/${p}`);
      assert.equal(api.status, 403, `${p}: ${api.body}`);
    }
  });

  test('connect / disconnect a running container: eth1 appears and disappears live', async () => {
    const a = testSubnet(4);
    const b = testSubnet(5);
    const na = netName('cna');
    const nb = netName('cnb');
    await ok(['network', 'create', '--subnet', a.subnet, na]);
    await ok(['network', 'create', '--subnet', b.subnet, nb]);
    const c = ctr('cc');
    await ok(['run', '-d', '--name', c, '--network', na, 'busybox', 'sleep', '300']);
    assert.deepEqual(await containerLinks(t(), c), ['eth0']);
    await ok(['network', 'connect', '--ip', `${b.prefix}.77`, '--alias', 'late', nb, c]);
    const addrs = await containerAddrs(t(), c);
    assert.deepEqual(addrs.map((x) => x.ifname).sort(), ['eth0', 'eth1']);
    assert.ok(addrs.some((x) => x.address === `${b.prefix}.77`), JSON.stringify(addrs));
    assert.ok(addrs.some((x) => inSubnet(x.address, a.subnet)), JSON.stringify(addrs));
    const ci = await inspectCtr(c);
    assert.deepEqual(Object.keys(ci.NetworkSettings.Networks).sort(), [na, nb].sort());
    assert.equal(ci.NetworkSettings.Networks[nb].IPAddress, `${b.prefix}.77`);
    assert.ok(ci.NetworkSettings.Networks[nb].Aliases.includes('late'));
    assert.ok(Object.values((await inspectNet(nb)).Containers).some((e: any) => e.Name === c));

    await ok(['network', 'disconnect', nb, c]);
    assert.deepEqual(await containerLinks(t(), c), ['eth0']);
    const after = await inspectCtr(c);
    assert.deepEqual(Object.keys(after.NetworkSettings.Networks), [na]);
    assert.deepEqual((await inspectNet(nb)).Containers, {});
    // the address is free again
    const c2 = ctr('cc2');
    await ok(['run', '-d', '--name', c2, '--network', nb, '--ip', `${b.prefix}.77`, 'busybox', 'sleep', '300']);
  });

  test('connect a created container: both networks after start; disconnect of the last network', async () => {
    const a = testSubnet(6);
    const b = testSubnet(7);
    const na = netName('cra');
    const nb = netName('crb');
    await ok(['network', 'create', '--subnet', a.subnet, na]);
    await ok(['network', 'create', '--subnet', b.subnet, nb]);
    const c = ctr('crc');
    await ok(['create', '--name', c, '--network', na, 'busybox', 'sleep', '300']);
    await ok(['network', 'connect', nb, c]);
    const ci = await inspectCtr(c);
    assert.deepEqual(Object.keys(ci.NetworkSettings.Networks).sort(), [na, nb].sort());
    assert.equal(ci.NetworkSettings.Networks[nb].IPAddress, '');
    assert.deepEqual((await inspectNet(nb)).Containers, {});
    await ok(['start', c]);
    const addrs = await containerAddrs(t(), c);
    assert.equal(addrs.length, 2, JSON.stringify(addrs));
    assert.ok(addrs.some((x) => inSubnet(x.address, a.subnet)) && addrs.some((x) => inSubnet(x.address, b.subnet)), JSON.stringify(addrs));
    await ok(['network', 'disconnect', na, c]);
    await ok(['network', 'disconnect', nb, c]);
    assert.deepEqual(await containerLinks(t(), c), []);
    assert.deepEqual((await inspectCtr(c)).NetworkSettings.Networks, {});
  });

  test('a container on two networks reaches a server on each by IP', async () => {
    const a = testSubnet(8);
    const b = testSubnet(9);
    const na = netName('twa');
    const nb = netName('twb');
    await ok(['network', 'create', '--subnet', a.subnet, na]);
    await ok(['network', 'create', '--subnet', b.subnet, nb]);
    const srvA = ctr('srva');
    const srvB = ctr('srvb');
    await ok(['run', '-d', '--name', srvA, '--network', na, '--ip', `${a.prefix}.10`, 'busybox', 'sh', '-c', httpdCommand('on-a')]);
    await ok(['run', '-d', '--name', srvB, '--network', nb, '--ip', `${b.prefix}.10`, 'busybox', 'sh', '-c', httpdCommand('on-b')]);
    const both = ctr('both');
    await ok(['create', '--name', both, '--network', na, 'busybox', 'sleep', '300']);
    await ok(['network', 'connect', nb, both]);
    await ok(['start', both]);
    for (const [ip, body] of [[`${a.prefix}.10`, 'on-a\n'], [`${b.prefix}.10`, 'on-b\n']] as const) {
      const r = await t().docker(['exec', both, 'sh', '-c', ncGetCommand(ip)]);
      assert.equal(httpBody(r.stdout), body, `${ip}: ${r.stdout}${r.stderr}`);
    }
    // Isolation between networks is iptables rules in Docker (the oracle runs without them):
    // berth's is checked in networks-berth.test.ts.
  });

  test('--network container:X shares X\'s interfaces and hostname', async () => {
    const { subnet, prefix } = testSubnet(10);
    const n = netName('shr');
    await ok(['network', 'create', '--subnet', subnet, n]);
    const x = ctr('x');
    const id = await ok(['run', '-d', '--name', x, '--network', n, '--ip', `${prefix}.20`, 'busybox', 'sh', '-c', httpdCommand('shared', 8080)]);
    const r = await t().docker(['run', '--rm', '--network', `container:${x}`, 'busybox', 'sh', '-c', `ip -o -4 addr; hostname; ${ncGetCommand('127.0.0.1', 8080)}`]);
    assert.equal(r.code, 0, r.stderr);
    const addrs = parseIpAddr(r.stdout).map((a) => [a.ifname, a.address]);
    assert.deepEqual(addrs, [['lo', '127.0.0.1'], ['eth0', `${prefix}.20`]]);
    assert.match(r.stdout, new RegExp(`^${id.slice(0, 12)}$`, 'm'));
    assert.equal(httpBody(r.stdout), 'shared\n');
    const j = ctr('joined');
    await ok(['create', '--name', j, '--network', `container:${x}`, 'busybox', 'true']);
    const ji = await inspectCtr(j);
    assert.equal(ji.HostConfig.NetworkMode, `container:${id}`);
    assert.deepEqual(ji.NetworkSettings.Networks, {});
  });
});
