import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { BerthDaemon, forEachTarget, sleep, testHostAddress, testSubnet, uniq, waitFor } from './harness.js';
import { DnsResponder } from './lib/dns-responder.js';
import { addHostAddress, hostPrimaryAddress, linksWithMaster, nft, nftListTable } from './lib/host-net.js';
import { containerAddrs, httpBody, httpdCommand, httpGetEventually, inSubnet, ncGetCommand, freePort, resolveVia } from './lib/net-probes.js';

/**
 * berth-only network scenarios (issue 6 §3-§5): things Docker does not have or the oracle
 * cannot show (it runs without iptables): crash recovery of addresses, DNS and published
 * ports; no duplicate nft rules; no leaked veths/netns after many cycles; the admin's
 * `<table>-user` chain filtering forwarded published traffic; isolation of internal and
 * user networks; two berthds side by side; a --dns resolver on the host's loopback (Docker 20.10
 * cannot forward to one).
 */
const tag = process.pid % 100000;
const hostAddr = hostPrimaryAddress();
let upstream: DnsResponder;
before(async () => {
  upstream = await DnsResponder.start(`btdns${tag}c`, testHostAddress(3), { 'upstream.test': testHostAddress(3) });
});
after(async () => {
  await upstream?.stop();
});

/**
 * The rules of an nft table, one per line as `<chain>: <rule>`, without handles, counters and
 * sets, and with the embedded DNS's listening port (chosen at each start) as <port>.
 */
function nftRules(listing: string): string[] {
  const rules: string[] = [];
  let chain = '';
  let inSet = false;
  for (const raw of listing.split('\n')) {
    const line = raw
      .trim()
      .replace(/\s*# handle \d+$/, '')
      .replace(/counter packets \d+ bytes \d+/, 'counter')
      .replace(/(dport 53 dnat to [\d.]+:)\d+/, '$1<port>');
    if (/^(set|map) \S+ \{/.test(line)) inSet = true;
    else if (inSet) inSet = line !== '}';
    else if (/^chain (\S+) \{/.test(line)) chain = /^chain (\S+)/.exec(line)![1]!;
    else if (line && !/^(table |type |policy |\})/.test(line)) rules.push(`${chain}: ${line}`);
  }
  return rules;
}

function duplicates(lines: string[]): string[] {
  const seen = new Set<string>();
  return lines.filter((l) => (seen.has(l) ? true : (seen.add(l), false)));
}

forEachTarget(
  'berth networking: crashes, leaks, admin chain, isolation',
  (t) => {
    const ok = async (args: string[]) => {
      const r = await t().docker(args, { timeoutMs: 90_000 });
      assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}\n${t().daemon?.logTail(15)}`);
      return r.stdout.trim();
    };
    const ipOn = async (c: string, n: string) => ok(['inspect', '-f', `{{(index .NetworkSettings.Networks "${n}").IPAddress}}`, c]);

    test('kill -9 of berthd: addresses, DNS and published ports survive; nft rules are not duplicated', { timeout: 240_000 }, async () => {
      const d = t().daemon!;
      const A = testSubnet(0);
      const B = testSubnet(1);
      const na = uniq('ka');
      const nb = uniq('kb');
      await ok(['network', 'create', '--subnet', A.subnet, na]);
      await ok(['network', 'create', '--subnet', B.subnet, nb]);
      const h = await freePort();
      const srv = uniq('ksrv');
      const cli = uniq('kcli');
      await ok(['create', '--name', srv, '--network', na, '--ip', `${A.prefix}.10`, '--network-alias', 'srv-a', '-p', `${h}:80`, 'busybox', 'sh', '-c', httpdCommand('survived')]);
      await ok(['network', 'connect', '--ip', `${B.prefix}.10`, '--alias', 'srv-b', nb, srv]);
      await ok(['start', srv]);
      await ok(['run', '-d', '--name', cli, '--network', na, '--dns', upstream.address, 'busybox', 'sleep', '600']);
      await ok(['network', 'connect', nb, cli]);
      assert.equal((await httpGetEventually('127.0.0.1', h)).body, 'survived\n');
      const table = nftListTable('ip', d.nftTable);
      assert.ok(table, `nft table ip ${d.nftTable} missing`);
      const rulesBefore = nftRules(table);
      assert.deepEqual(duplicates(rulesBefore), []);
      const cliAddrs = (await containerAddrs(t(), cli)).map((a) => a.address).sort();

      await d.kill9();
      await sleep(1000);
      // while berthd is down, the data path keeps working (it is in the kernel)
      assert.equal((await httpGetEventually('127.0.0.1', h, 5000)).body, 'survived\n', 'the published port died with berthd');
      await d.start();

      assert.equal(await ok(['inspect', '-f', '{{.State.Running}}', srv]), 'true');
      assert.equal(await ipOn(srv, na), `${A.prefix}.10`);
      assert.equal(await ipOn(srv, nb), `${B.prefix}.10`);
      assert.deepEqual((await containerAddrs(t(), srv)).map((a) => a.address).sort(), [`${A.prefix}.10`, `${B.prefix}.10`].sort());
      assert.deepEqual((await containerAddrs(t(), cli)).map((a) => a.address).sort(), cliAddrs);
      assert.equal(await resolveVia(t(), cli, 'srv-a'), `${A.prefix}.10`);
      assert.equal(await resolveVia(t(), cli, 'srv-b'), `${B.prefix}.10`);
      assert.equal(await resolveVia(t(), cli, srv) !== undefined, true);
      assert.equal((await httpGetEventually('127.0.0.1', h)).body, 'survived\n');
      const rulesAfter = nftRules(nftListTable('ip', d.nftTable));
      assert.deepEqual(duplicates(rulesAfter), [], 'duplicate rules after the restart');
      assert.deepEqual([...rulesAfter].sort(), [...rulesBefore].sort(), 'the ruleset differs after the restart');
      // IPAM leases survived: a new container does not get a taken address
      const fresh = uniq('kfresh');
      await ok(['run', '-d', '--name', fresh, '--network', na, 'busybox', 'sleep', '600']);
      const freshIp = await ipOn(fresh, na);
      assert.ok(![`${A.prefix}.10`, ...cliAddrs].includes(freshIp), `new container got a taken address ${freshIp}`);
      // a second restart (clean) changes nothing either
      await d.stop();
      await d.start();
      assert.equal((await httpGetEventually('127.0.0.1', h)).body, 'survived\n');
      assert.deepEqual(duplicates(nftRules(nftListTable('ip', d.nftTable))), []);
      await ok(['rm', '-f', srv, cli, fresh]);
      await ok(['network', 'rm', na, nb]);
    });

    test('many create/start/rm cycles leave no veths, netns or leases behind', { timeout: 300_000 }, async () => {
      const d = t().daemon!;
      const C = testSubnet(2);
      const n = uniq('cyc');
      const br = `bt${tag}cy`;
      // a /28: 13 addresses for containers, fewer than the cycles, so leaked leases would show
      await ok(['network', 'create', '--subnet', `${C.prefix}.0/28`, '-o', `com.docker.network.bridge.name=${br}`, n]);
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        const id = await ok(['create', '--network', n, 'busybox', 'sh', '-c', 'ip -o -4 addr show dev eth0']);
        ids.push(id);
        const r = await t().docker(['start', '-a', id]);
        assert.equal(r.code, 0, `cycle ${i}: ${r.stderr}`);
        assert.match(r.stdout, /inet /);
        await ok(['rm', id]);
      }
      for (let i = 0; i < 5; i++) {
        const id = await ok(['run', '-d', 'busybox', 'sleep', '600']);
        ids.push(id);
        const cid = await ok(['run', '-d', '--network', n, 'busybox', 'sleep', '600']);
        ids.push(cid);
        await ok(['rm', '-f', id, cid]);
      }
      await waitFor(() => linksWithMaster([d.bridge, br]).length === 0, 5000);
      assert.deepEqual(linksWithMaster([d.bridge, br]), [], 'veths left on the bridges');
      const netns = ids.filter((id) => existsSync(`/run/netns/berth-${id}`));
      assert.deepEqual(netns, [], 'netns left for removed containers');
      await ok(['network', 'rm', n]);
      assert.equal(existsSync(`/sys/class/net/${br}`), false, `bridge ${br} left after network rm`);
    });

    test('the admin chain <table>-user forward filters published traffic that is forwarded', { timeout: 180_000, skip: hostAddr ? undefined : 'no default route: no host address' }, async () => {
      const d = t().daemon!;
      const userTable = `${d.nftTable}-user`;
      assert.ok(nftListTable('ip', userTable), `nft table ip ${userTable} missing`);
      const h = await freePort();
      const web = uniq('aweb');
      const peer = uniq('apeer');
      await ok(['run', '-d', '--name', web, '-p', `${h}:80`, 'busybox', 'sh', '-c', httpdCommand('admin')]);
      await ok(['run', '-d', '--name', peer, 'busybox', 'sleep', '600']);
      const viaPeer = async () => httpBody((await t().docker(['exec', peer, 'sh', '-c', ncGetCommand(hostAddr!, h, 3)])).stdout);
      assert.equal((await httpGetEventually('127.0.0.1', h)).body, 'admin\n');
      assert.equal(await viaPeer(), 'admin\n', 'a container cannot reach a published port through the host address');
      const comment = `berth-e2e-${process.pid}`;
      nft(['add', 'rule', 'ip', userTable, 'forward', 'tcp', 'dport', '80', 'drop', 'comment', `"${comment}"`]);
      const dropRule = () => {
        const m = new RegExp(`comment "${comment}" # handle (\\d+)`).exec(nft(['-a', 'list', 'chain', 'ip', userTable, 'forward']));
        return m?.[1];
      };
      try {
        assert.equal(await viaPeer(), '', 'the admin\'s drop rule did not stop forwarded published traffic');
        // traffic from the host itself is not forwarded: the admin chain does not see it
        assert.equal((await httpGetEventually('127.0.0.1', h)).body, 'admin\n');
        // berthd never flushes the admin's table: the rule survives a restart
        await d.stop();
        await d.start();
        assert.ok(dropRule(), 'the admin\'s rule vanished when berthd restarted');
        assert.equal(await viaPeer(), '');
      } finally {
        const handle = dropRule();
        if (handle) nft(['delete', 'rule', 'ip', userTable, 'forward', 'handle', handle]);
      }
      assert.equal(await viaPeer(), 'admin\n', 'traffic did not come back after the rule was deleted');
      await ok(['rm', '-f', web, peer]);
    });

    test('--internal: no egress and no DNS forwarding; container names still resolve', { timeout: 120_000 }, async () => {
      const I = testSubnet(3);
      const n = uniq('intl');
      await ok(['network', 'create', '--internal', '--subnet', I.subnet, n]);
      // a TCP server on an address of the test's own, reachable from any normal network
      const addr = testHostAddress(4);
      const iface = addHostAddress(`btdns${tag}e`, addr);
      const srv = net.createServer((s) => s.end('egress\n'));
      await new Promise<void>((r) => srv.listen(8099, addr, () => r()));
      try {
        const a = uniq('ia');
        const b = uniq('ib');
        await ok(['run', '-d', '--name', a, '--network', n, 'busybox', 'sleep', '600']);
        await ok(['run', '-d', '--name', b, '--network', n, '--dns', upstream.address, 'busybox', 'sleep', '600']);
        const routes = await ok(['exec', b, 'ip', 'route']);
        assert.doesNotMatch(routes, /^default/m, 'a container on an internal network has a default route');
        const out = await t().docker(['exec', b, 'nc', '-w', '2', addr, '8099']);
        assert.notEqual(out.stdout, 'egress\n', 'a container on an internal network reached a host address');
        const normal = await t().docker(['run', '--rm', 'busybox', 'nc', '-w', '3', addr, '8099']);
        assert.equal(normal.stdout, 'egress\n', `control: the default bridge cannot reach ${addr}: ${normal.stderr}`);
        assert.equal(await resolveVia(t(), b, a), await ipOn(a, n));
        const seen = upstream.seen('upstream.test').length;
        const q = await t().docker(['exec', b, 'nslookup', 'upstream.test'], { timeoutMs: 30_000 });
        assert.notEqual(q.code, 0, `an internal network forwarded a query: ${q.stdout}`);
        assert.equal(upstream.seen('upstream.test').length, seen, 'the query left the internal network');
        await ok(['rm', '-f', a, b]);
        await ok(['network', 'rm', n]);
      } finally {
        await new Promise<void>((r) => srv.close(() => r()));
        iface.remove();
      }
    });

    test('user networks are isolated from each other and from the default bridge', { timeout: 120_000 }, async () => {
      const A = testSubnet(4);
      const B = testSubnet(5);
      const na = uniq('isa');
      const nb = uniq('isb');
      await ok(['network', 'create', '--subnet', A.subnet, na]);
      await ok(['network', 'create', '--subnet', B.subnet, nb]);
      const sb = uniq('isrv');
      await ok(['run', '-d', '--name', sb, '--network', nb, '--ip', `${B.prefix}.10`, 'busybox', 'sh', '-c', httpdCommand('on-b')]);
      await httpGetEventually(`${B.prefix}.10`, 80);
      for (const args of [['--network', na], []]) {
        const r = await t().docker(['run', '--rm', ...args, 'busybox', 'sh', '-c', ncGetCommand(`${B.prefix}.10`, 80, 2)]);
        assert.equal(httpBody(r.stdout), '', `a container on ${args[1] ?? 'bridge'} reached a container on ${nb}`);
      }
      await ok(['rm', '-f', sb]);
      await ok(['network', 'rm', na, nb]);
    });

    test('daemon --dns: the default upstream of the embedded DNS and of the default bridge', { timeout: 180_000 }, async () => {
      const d2 = new BerthDaemon({ network: { dns: [upstream.address] } });
      try {
        await d2.start();
        await d2.loadBaseImage();
        const rc = await d2.docker(['run', '--rm', 'busybox', 'cat', '/etc/resolv.conf']);
        assert.equal(rc.code, 0, rc.stderr);
        assert.match(rc.stdout, new RegExp(`^nameserver ${upstream.address.replace(/\./g, '\\.')}$`, 'm'));
        const n = uniq('ddns');
        assert.equal((await d2.docker(['network', 'create', n])).code, 0);
        const r = await d2.docker(['run', '--rm', '--network', n, 'busybox', 'nslookup', 'upstream.test'], { timeoutMs: 30_000 });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, new RegExp(`Address:\\s+${upstream.address.replace(/\./g, '\\.')}`));
      } finally {
        await d2.teardown();
      }
    });

    test('--dns with a resolver on the host\'s loopback works on a user network (forwarded from the host side)', { timeout: 120_000 }, async () => {
      const lo = `127.77.${(process.pid >> 8) & 255}.${process.pid & 255}`;
      const local = await DnsResponder.start('', lo, { 'loopback.test': lo });
      const n = uniq('lodns');
      try {
        await ok(['network', 'create', '--subnet', testSubnet(6).subnet, n]);
        const r = await t().docker(['run', '--rm', '--network', n, '--dns', lo, 'busybox', 'nslookup', 'loopback.test'], { timeoutMs: 30_000 });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, new RegExp(`Address:\\s+${lo.replace(/\./g, '\\.')}`));
        assert.ok(local.seen('loopback.test').length > 0);
      } finally {
        await local.stop();
        await t().docker(['network', 'rm', n]);
      }
    });

    test('two berthds side by side: own bridges and subnets; a clean stop leaves no netns, veths or bridges', { timeout: 240_000 }, async () => {
      const d = t().daemon!;
      const d2 = new BerthDaemon();
      assert.notEqual(d2.bridge, d.bridge);
      assert.notEqual(d2.bip, d.bip);
      let stopped = false;
      try {
        await d2.start();
        await d2.loadBaseImage();
        const c1 = uniq('side1');
        await ok(['run', '-d', '--name', c1, 'busybox', 'sh', '-c', httpdCommand('first')]);
        const c2 = uniq('side2');
        const r = await d2.docker(['run', '-d', '--name', c2, 'busybox', 'sh', '-c', httpdCommand('second')]);
        assert.equal(r.code, 0, r.stderr);
        const n2 = uniq('side-net');
        assert.equal((await d2.docker(['network', 'create', n2])).code, 0);
        assert.equal((await d2.docker(['run', '-d', '--network', n2, 'busybox', 'sleep', '600'])).code, 0);
        const ip1 = await ok(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', c1]);
        const ip2 = (await d2.docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', c2])).stdout.trim();
        assert.ok(inSubnet(ip1, d.bip.replace(/\.\d+\//, '.0/')), `${ip1} not in ${d.bip}`);
        assert.ok(inSubnet(ip2, d2.bip.replace(/\.\d+\//, '.0/')), `${ip2} not in ${d2.bip}`);
        assert.equal((await httpGetEventually(ip1, 80)).body, 'first\n');
        assert.equal((await httpGetEventually(ip2, 80)).body, 'second\n');
        await ok(['rm', '-f', c1]);
        const report = await d2.teardown();
        stopped = true;
        assert.deepEqual(
          { pids: report.pids, mounts: report.mounts, netns: report.netns, veths: report.veths, bridges: report.bridges },
          { pids: [], mounts: [], netns: [], veths: [], bridges: [] },
          'berthd left network state behind after removing everything and a clean stop',
        );
        assert.deepEqual(linksWithMaster([d2.bridge]), []);
      } finally {
        if (!stopped) await d2.teardown();
      }
    });
  },
  { only: ['berth'] },
);
