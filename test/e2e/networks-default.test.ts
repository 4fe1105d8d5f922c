import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { forEachTarget, runCommand, uniq, waitFor } from './harness.js';
import { containerAddrs, httpBody, httpdCommand, httpGetEventually, inSubnet, ncGetCommand } from './lib/net-probes.js';

/** The default `bridge` network (issue 6 §1): addresses, routes, host files, inspect, reachability. */
forEachTarget('default bridge network', (t) => {
  const made: string[] = [];
  const name = (p: string) => {
    const n = uniq(p);
    made.push(n);
    return n;
  };
  after(async () => {
    if (made.length) await t().docker(['rm', '-f', ...made]).catch(() => undefined);
  });

  /** Subnet and gateway of `bridge`, and the host bridge that carries it. */
  async function bridgeInfo(): Promise<{ id: string; subnet: string; gateway: string; prefix: number; ifname: string }> {
    const r = await t().api('GET', '/networks/bridge');
    assert.equal(r.status, 200, r.body);
    const n = r.json<{ Id: string; IPAM: { Config: Array<{ Subnet: string; Gateway?: string }> }; Options: Record<string, string> }>();
    const cfg = n.IPAM.Config[0]!;
    assert.ok(cfg && cfg.Subnet && cfg.Gateway, `bridge IPAM.Config: ${JSON.stringify(n.IPAM)}`);
    return { id: n.Id, subnet: cfg.Subnet, gateway: cfg.Gateway!, prefix: Number(cfg.Subnet.split('/')[1]), ifname: n.Options['com.docker.network.bridge.name']! };
  }

  test('network inspect bridge: a bridge of the engine\'s own whose address is the gateway', async () => {
    const r = await t().api('GET', '/networks/bridge');
    const n = r.json<Record<string, any>>();
    assert.equal(n.Name, 'bridge');
    assert.equal(n.Driver, 'bridge');
    assert.equal(n.Scope, 'local');
    assert.equal(n.Internal, false);
    assert.match(n.Id, /^[0-9a-f]{64}$/);
    assert.equal(n.Options['com.docker.network.bridge.default_bridge'], 'true');
    const b = await bridgeInfo();
    assert.notEqual(b.ifname, 'docker0', 'the engine under test must not use docker0');
    if (t().daemon) assert.equal(b.ifname, t().daemon!.bridge, 'berthd did not take --bridge');
    const host = await runCommand('ip', ['-o', '-4', 'addr', 'show', 'dev', b.ifname]);
    assert.equal(host.code, 0, `no host interface ${b.ifname}: ${host.stderr}`);
    assert.match(host.stdout, new RegExp(`inet ${b.gateway.replace(/\./g, '\\.')}/${b.prefix} `));
    if (t().daemon) assert.equal(`${b.gateway}/${b.prefix}`, t().daemon!.bip, 'berthd did not take --bip');
  });

  test('run: eth0 has an address in the bridge subnet and a default route via the gateway', async () => {
    const b = await bridgeInfo();
    const r = await t().docker(['run', '--rm', 'busybox', 'sh', '-c', 'ip -o -4 addr show dev eth0; echo ---; ip route']);
    assert.equal(r.code, 0, r.stderr);
    const [addrs, routes] = r.stdout.split('---\n');
    const m = /inet (\d+\.\d+\.\d+\.\d+)\/(\d+)/.exec(addrs!);
    assert.ok(m, `no IPv4 on eth0: ${r.stdout}`);
    assert.ok(inSubnet(m[1]!, b.subnet), `${m[1]} not in ${b.subnet}`);
    assert.notEqual(m[1], b.gateway);
    assert.equal(Number(m[2]), b.prefix);
    assert.match(routes!, new RegExp(`^default via ${b.gateway.replace(/\./g, '\\.')} dev eth0`, 'm'));
  });

  test('/etc/hosts ends with "<ip>\\t<hostname>", hostname is the short ID', async () => {
    const c = name('hosts');
    assert.equal((await t().docker(['run', '-d', '--name', c, 'busybox', 'sleep', '300'])).code, 0);
    const id = (await t().docker(['inspect', '-f', '{{.Id}}', c])).stdout.trim();
    const r = await t().docker(['exec', c, 'sh', '-c', 'cat /etc/hosts; echo ---; hostname; cat /etc/hostname']);
    assert.equal(r.code, 0, r.stderr);
    const [hosts, names] = r.stdout.split('---\n');
    const ip = (await t().docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', c])).stdout.trim();
    assert.deepEqual(hosts!.trim().split('\n'), [
      '127.0.0.1\tlocalhost',
      '::1\tlocalhost ip6-localhost ip6-loopback',
      'fe00::0\tip6-localnet',
      'ff00::0\tip6-mcastprefix',
      'ff02::1\tip6-allnodes',
      'ff02::2\tip6-allrouters',
      `${ip}\t${id.slice(0, 12)}`,
    ]);
    assert.equal(names, `${id.slice(0, 12)}\n${id.slice(0, 12)}\n`);
  });

  test('resolv.conf: the host\'s non-loopback nameservers; --dns/--dns-search/--dns-option verbatim', async () => {
    const hostNs = readFileSync('/etc/resolv.conf', 'utf8')
      .split('\n')
      .map((l) => /^\s*nameserver\s+(\S+)/.exec(l)?.[1])
      .filter((a): a is string => !!a && !a.startsWith('127.') && a !== '::1');
    // Docker's fallback when the host has only loopback resolvers
    const expected = hostNs.length ? hostNs : ['8.8.8.8', '8.8.4.4'];
    const r = await t().docker(['run', '--rm', 'busybox', 'cat', '/etc/resolv.conf']);
    assert.equal(r.code, 0, r.stderr);
    const ns = r.stdout.split('\n').map((l) => /^nameserver\s+(\S+)/.exec(l)?.[1]).filter(Boolean);
    assert.deepEqual(ns, expected.filter((a) => !a.includes(':')), r.stdout);
    const d = await t().docker(['run', '--rm', '--dns', '10.9.9.9', '--dns-search', 's.test', '--dns-option', 'ndots:2', 'busybox', 'cat', '/etc/resolv.conf']);
    assert.equal(d.code, 0, d.stderr);
    assert.equal(d.stdout.trim(), 'search s.test\nnameserver 10.9.9.9\noptions ndots:2');
  });

  test('inspect NetworkSettings: filled while running, cleared after stop, empty for created', async () => {
    const b = await bridgeInfo();
    const c = name('ns');
    assert.equal((await t().docker(['run', '-d', '--name', c, 'busybox', 'sleep', '300'])).code, 0);
    const ns = (await t().api('GET', `/containers/${c}/json`)).json<{ NetworkSettings: Record<string, any> }>().NetworkSettings;
    const eth0 = (await containerAddrs(t(), c)).find((a) => a.ifname === 'eth0');
    assert.ok(eth0, 'no eth0 in the container');
    const mac = (await t().docker(['exec', c, 'cat', '/sys/class/net/eth0/address'])).stdout.trim();
    assert.equal(ns.IPAddress, eth0.address);
    assert.equal(ns.IPPrefixLen, b.prefix);
    assert.equal(ns.Gateway, b.gateway);
    assert.equal(ns.MacAddress, mac);
    assert.match(ns.EndpointID, /^[0-9a-f]{64}$/);
    assert.deepEqual(Object.keys(ns.Networks), ['bridge']);
    const ep = ns.Networks.bridge;
    assert.equal(ep.NetworkID, b.id);
    assert.equal(ep.EndpointID, ns.EndpointID);
    assert.equal(ep.IPAddress, eth0.address);
    assert.equal(ep.IPPrefixLen, b.prefix);
    assert.equal(ep.Gateway, b.gateway);
    assert.equal(ep.MacAddress, mac);
    assert.equal(ep.IPAMConfig, null);
    assert.equal(ep.Aliases, null);
    for (const k of ['Bridge', 'SandboxID', 'SandboxKey', 'Ports', 'HairpinMode', 'LinkLocalIPv6Address', 'LinkLocalIPv6PrefixLen', 'SecondaryIPAddresses', 'SecondaryIPv6Addresses', 'EndpointID', 'Gateway', 'GlobalIPv6Address', 'GlobalIPv6PrefixLen', 'IPAddress', 'IPPrefixLen', 'IPv6Gateway', 'MacAddress', 'Networks']) {
      assert.ok(k in ns, `NetworkSettings.${k} missing`);
    }
    for (const k of ['IPAMConfig', 'Links', 'Aliases', 'NetworkID', 'EndpointID', 'Gateway', 'IPAddress', 'IPPrefixLen', 'IPv6Gateway', 'GlobalIPv6Address', 'GlobalIPv6PrefixLen', 'MacAddress', 'DriverOpts']) {
      assert.ok(k in ep, `NetworkSettings.Networks.bridge.${k} missing`);
    }
    assert.deepEqual(ns.Ports, {});

    assert.equal((await t().docker(['stop', '-t', '0', c])).code, 0);
    const st = (await t().api('GET', `/containers/${c}/json`)).json<{ NetworkSettings: Record<string, any> }>().NetworkSettings;
    assert.deepEqual(
      [st.IPAddress, st.IPPrefixLen, st.Gateway, st.MacAddress, st.EndpointID],
      ['', 0, '', '', ''],
    );
    const sep = st.Networks.bridge;
    assert.deepEqual([sep.IPAddress, sep.IPPrefixLen, sep.Gateway, sep.MacAddress, sep.EndpointID], ['', 0, '', '', '']);
    assert.equal(sep.NetworkID, b.id, 'Docker keeps NetworkID after stop');

    const cr = name('cr');
    assert.equal((await t().docker(['create', '--name', cr, 'busybox', 'true'])).code, 0);
    const cns = (await t().api('GET', `/containers/${cr}/json`)).json<{ NetworkSettings: Record<string, any> }>().NetworkSettings;
    assert.deepEqual(Object.keys(cns.Networks), ['bridge']);
    assert.deepEqual([cns.IPAddress, cns.Networks.bridge.IPAddress, cns.Networks.bridge.NetworkID, cns.Networks.bridge.EndpointID], ['', '', '', '']);
  });

  test('network inspect bridge lists the running container\'s endpoint, not after stop', async () => {
    const c = name('ep');
    assert.equal((await t().docker(['run', '-d', '--name', c, 'busybox', 'sleep', '300'])).code, 0);
    const id = (await t().docker(['inspect', '-f', '{{.Id}}', c])).stdout.trim();
    const ns = (await t().api('GET', `/containers/${id}/json`)).json<{ NetworkSettings: Record<string, any> }>().NetworkSettings;
    const n = (await t().api('GET', '/networks/bridge')).json<{ Containers: Record<string, any> }>();
    assert.deepEqual(n.Containers[id], {
      Name: c,
      EndpointID: ns.EndpointID,
      MacAddress: ns.MacAddress,
      IPv4Address: `${ns.IPAddress}/${ns.IPPrefixLen}`,
      IPv6Address: '',
    });
    assert.equal((await t().docker(['stop', '-t', '0', c])).code, 0);
    const after = (await t().api('GET', '/networks/bridge')).json<{ Containers: Record<string, any> }>();
    assert.equal(after.Containers[id], undefined);
  });

  test('the host reaches a container by its IP (httpd on :80)', async () => {
    const c = name('web');
    assert.equal((await t().docker(['run', '-d', '--name', c, 'busybox', 'sh', '-c', httpdCommand('from-container')])).code, 0);
    const ip = (await t().docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', c])).stdout.trim();
    const got = await httpGetEventually(ip, 80);
    assert.equal(got.body, 'from-container\n', got.error);
  });

  test('containers on the bridge reach each other by IP', async () => {
    const c = name('peer');
    assert.equal((await t().docker(['run', '-d', '--name', c, 'busybox', 'sh', '-c', httpdCommand('peer-ok')])).code, 0);
    const ip = (await t().docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', c])).stdout.trim();
    await httpGetEventually(ip, 80);
    const r = await t().docker(['run', '--rm', 'busybox', 'sh', '-c', ncGetCommand(ip)]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(httpBody(r.stdout), 'peer-ok\n');
  });

  test('no name resolution on the default bridge; --link adds a hosts entry and env', async () => {
    const c = name('lnk');
    assert.equal((await t().docker(['run', '-d', '--name', c, '--expose', '80', 'busybox', 'sleep', '300'])).code, 0);
    const id = (await t().docker(['inspect', '-f', '{{.Id}}', c])).stdout.trim();
    const ip = (await t().docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', c])).stdout.trim();
    // --dns 127.0.0.1: the lookup fails inside the container (nothing leaves it)
    const no = await t().docker(['run', '--rm', '--dns', '127.0.0.1', 'busybox', 'ping', '-c1', '-W1', c]);
    assert.notEqual(no.code, 0);
    assert.match(no.stderr, new RegExp(`ping: bad address '${c}'`));
    const r = await t().docker(['run', '--rm', '--dns', '127.0.0.1', '--link', `${c}:al`, 'busybox', 'sh', '-c', 'tail -n 2 /etc/hosts | head -n 1; env | grep ^AL_ | sort; ping -c1 -W2 al']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], `${ip}\tal ${id.slice(0, 12)} ${c}`);
    assert.match(lines[1]!, /^AL_NAME=\/[^/]+\/al$/);
    assert.deepEqual(lines.slice(2, 7), [
      `AL_PORT=tcp://${ip}:80`,
      `AL_PORT_80_TCP=tcp://${ip}:80`,
      `AL_PORT_80_TCP_ADDR=${ip}`,
      'AL_PORT_80_TCP_PORT=80',
      'AL_PORT_80_TCP_PROTO=tcp',
    ]);
    assert.match(r.stdout, new RegExp(`PING al \\(${ip.replace(/\./g, '\\.')}\\)`));
    assert.match(r.stdout, /1 packets received/);

    // docker rm --link /parent/alias forgets the link; a name without a parent is refused
    const parent = name('lnkp');
    assert.equal((await t().docker(['create', '--name', parent, '--link', `${c}:db`, 'busybox', 'true'])).code, 0);
    assert.deepEqual(JSON.parse((await t().docker(['inspect', '-f', '{{json .HostConfig.Links}}', parent])).stdout), [`/${c}:/${parent}/db`]);
    const rmLink = await t().docker(['rm', '--link', `/${parent}/db`]);
    assert.equal(rmLink.code, 0, rmLink.stderr);
    assert.equal(rmLink.stdout.trim(), `/${parent}/db`);
    assert.equal((await t().docker(['inspect', '-f', '{{json .HostConfig.Links}}', parent])).stdout.trim(), 'null');
    const bad = await t().docker(['rm', '--link', c]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Conflict, cannot remove the default link name of the container/);
  });

  test('--mac-address (API 1.41 create) is honoured and reported', async () => {
    const c = name('mac');
    const mac = '02:42:0a:0b:0c:0d';
    const cr = await t().api('POST', `/v1.41/containers/create?name=${c}`, { Image: 'busybox', Cmd: ['sleep', '300'], MacAddress: mac });
    assert.equal(cr.status, 201, cr.body);
    assert.equal((await t().docker(['start', c])).code, 0);
    const inside = (await t().docker(['exec', c, 'cat', '/sys/class/net/eth0/address'])).stdout.trim();
    assert.equal(inside, mac);
    const ns = (await t().api('GET', `/v1.41/containers/${c}/json`)).json<{ NetworkSettings: Record<string, any> }>().NetworkSettings;
    assert.equal(ns.MacAddress, mac);
    assert.equal(ns.Networks.bridge.MacAddress, mac);
  });

  test('a container restarted gets an address again and inspect agrees with eth0', async () => {
    const c = name('rst');
    assert.equal((await t().docker(['run', '-d', '--name', c, 'busybox', 'sleep', '300'])).code, 0);
    assert.equal((await t().docker(['restart', '-t', '0', c])).code, 0);
    const ok = await waitFor(async () => (await t().docker(['inspect', '-f', '{{.State.Running}}', c])).stdout.trim() === 'true', 10_000);
    assert.ok(ok);
    const eth0 = (await containerAddrs(t(), c)).find((a) => a.ifname === 'eth0');
    const ip = (await t().docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', c])).stdout.trim();
    assert.equal(eth0?.address, ip);
  });
});
