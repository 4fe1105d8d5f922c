import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachTarget, testHostAddress, testSubnet, uniq } from './harness.js';
import { DnsResponder } from './lib/dns-responder.js';
import { resolveVia } from './lib/net-probes.js';

/**
 * Name resolution on user networks (issue 6 §3). Containers that look names up get
 * `--dns <responder>`: a resolver this file starts on an address of its own (never the
 * host's upstream), so a name that is not a container's is answered here (NXDOMAIN or a
 * fixed record) and the test sees what was forwarded.
 */
const tag = process.pid % 100000;
let upstream: DnsResponder;
let silent: DnsResponder;
before(async () => {
  upstream = await DnsResponder.start(`btdns${tag}a`, testHostAddress(1), { 'upstream.test': testHostAddress(1) });
  silent = await DnsResponder.start(`btdns${tag}b`, testHostAddress(2), {}, { silent: true });
});
after(async () => {
  await upstream?.stop();
  await silent?.stop();
});

forEachTarget('DNS on user networks', (t) => {
  const n1 = uniq('dns1');
  const n2 = uniq('dns2');
  const srv = uniq('srv');
  const eph = uniq('eph');
  const cli1 = uniq('cli1');
  const cli2 = uniq('cli2');
  let srvId = '';
  const ok = async (args: string[]) => {
    const r = await t().docker(args, { timeoutMs: 90_000 });
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const ipOn = async (c: string, n: string) => (await ok(['inspect', '-f', `{{(index .NetworkSettings.Networks "${n}").IPAddress}}`, c]));

  before(async () => {
    await ok(['network', 'create', '--subnet', testSubnet(0).subnet, n1]);
    await ok(['network', 'create', '--subnet', testSubnet(1).subnet, n2]);
    srvId = await ok(['run', '-d', '--name', srv, '--hostname', `${srv}-host`, '--network', n1, '--network-alias', `${srv}-alias`, 'busybox', 'sleep', '600']);
    await ok(['run', '-d', '--name', cli1, '--network', n1, '--dns', upstream.address, 'busybox', 'sleep', '600']);
    await ok(['run', '-d', '--name', cli2, '--network', n2, '--dns', upstream.address, 'busybox', 'sleep', '600']);
  }, { timeout: 120_000 });
  after(async () => {
    await t().docker(['rm', '-f', srv, eph, cli1, cli2]);
    await t().docker(['network', 'rm', n1, n2]);
  });

  test('container name, alias, hostname, short ID and <name>.<network> resolve to its address', async () => {
    const ip = await ipOn(srv, n1);
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
    for (const name of [srv, `${srv}-alias`, `${srv}-host`, srvId.slice(0, 12), `${srv}.${n1}`]) {
      assert.equal(await resolveVia(t(), cli1, name), ip, `${name} did not resolve to ${ip}`);
    }
  });

  test('names of another network do not resolve (the query goes upstream: NXDOMAIN)', async () => {
    const before = upstream.seen(srv).length;
    assert.equal(await resolveVia(t(), cli2, srv), undefined);
    assert.equal(await resolveVia(t(), cli2, `${srv}-alias`), undefined);
    assert.ok(upstream.seen(srv).length > before, `the lookup of ${srv} on ${n2} was not forwarded to --dns ${upstream.address}`);
  });

  test('other names are forwarded to the --dns resolver', async () => {
    const r = await t().docker(['exec', cli1, 'nslookup', 'upstream.test'], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`Name:\\s+upstream\\.test\\nAddress:\\s+${upstream.address.replace(/\./g, '\\.')}`));
    assert.ok(upstream.seen('upstream.test').some((q) => q.type === 'A'), JSON.stringify(upstream.queries));
    const nx = await t().docker(['exec', cli1, 'nslookup', 'nope.test'], { timeoutMs: 30_000 });
    assert.notEqual(nx.code, 0);
    assert.match(nx.stdout + nx.stderr, /can't find nope\.test: NXDOMAIN/);
  });

  test('a name disappears when its container stops or disconnects, and comes back', async () => {
    await ok(['run', '-d', '--name', eph, '--network', n1, 'busybox', 'sleep', '600']);
    assert.equal(await resolveVia(t(), cli1, eph), await ipOn(eph, n1));
    await ok(['stop', '-t', '0', eph]);
    assert.equal(await resolveVia(t(), cli1, eph), undefined, 'a stopped container still resolves');
    await ok(['start', eph]);
    assert.equal(await resolveVia(t(), cli1, eph), await ipOn(eph, n1));
    await ok(['network', 'disconnect', n1, eph]);
    assert.equal(await resolveVia(t(), cli1, eph), undefined, 'a disconnected container still resolves');
    await ok(['network', 'connect', '--alias', `${eph}-again`, n1, eph]);
    const ip = await ipOn(eph, n1);
    assert.equal(await resolveVia(t(), cli1, eph), ip);
    assert.equal(await resolveVia(t(), cli1, `${eph}-again`), ip);
    await ok(['rm', '-f', eph]);
    assert.equal(await resolveVia(t(), cli1, eph), undefined, 'a removed container still resolves');
  });

  test('a container on two networks resolves names of both', async () => {
    await ok(['network', 'connect', n2, cli1]);
    try {
      assert.equal(await resolveVia(t(), cli1, cli2), await ipOn(cli2, n2));
      assert.equal(await resolveVia(t(), cli1, srv), await ipOn(srv, n1));
      assert.equal(await resolveVia(t(), cli2, cli1), await ipOn(cli1, n2));
    } finally {
      await ok(['network', 'disconnect', n2, cli1]);
    }
  });

  test('resolv.conf on a user network points at the embedded resolver', async () => {
    const r = await t().docker(['run', '--rm', '--network', n1, '--dns', upstream.address, '--dns-search', 's.test', 'busybox', 'cat', '/etc/resolv.conf']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'search s.test\nnameserver 127.0.0.11\noptions ndots:0');
  });

  test('a silent upstream does not delay container names', async () => {
    const c = uniq('slow');
    await ok(['run', '-d', '--name', c, '--network', n1, '--dns', silent.address, 'busybox', 'sleep', '600']);
    try {
      const started = Date.now();
      assert.equal(await resolveVia(t(), c, srv), await ipOn(srv, n1));
      const ms = Date.now() - started;
      assert.ok(ms < 3000, `resolving a container name took ${ms} ms with a dead upstream`);
    } finally {
      await t().docker(['rm', '-f', c]);
    }
  });
});
