import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { silentLogger } from '../../shared/logger.js';
import { IpNetHost } from './ip-net-host.js';
import type { VethSpec } from './net-host.js';
import { NetlinkNetHost, openNetHost } from './netlink-net-host.js';
import { netlinkSys } from './netlink-sys.js';
import { NetnsSwitch } from './netns.js';

/**
 * Root only: builds the same container network twice, once with IpNetHost and once with
 * NetlinkNetHost, on a bridge of its own in 10.249.0.0/24, and compares what iproute2 sees.
 * Everything it creates carries its random suffix and is removed in after().
 */
const root = process.getuid?.() === 0 && hasIp();
const skip = root ? false : 'needs root and iproute2';
const r = randomBytes(3).toString('hex');
const bridge = `bnl${r}`;
const nsName = (tag: string): string => `berth-nltest-${r}-${tag}`;
const hostIf = (tag: string, i: number): string => `vnl${r}${tag}${i}`;
const created = new Set<string>();
const self = (): string => readlinkSync('/proc/thread-self/ns/net');
let home = '';

function hasIp(): boolean {
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const quiet = (...args: string[]): void => {
  try {
    execFileSync('ip', args, { stdio: 'ignore' });
  } catch {
    // already gone
  }
};

before(() => {
  if (!root) return;
  home = self();
  ip('link', 'add', bridge, 'type', 'bridge');
  ip('addr', 'add', '10.249.0.1/24', 'dev', bridge);
  ip('link', 'set', bridge, 'up');
});

after(() => {
  if (!root) return;
  for (const ns of created) quiet('netns', 'del', ns);
  for (const tag of ['ip', 'nl', 'err']) for (const i of [0, 1, 2]) quiet('link', 'del', hostIf(tag, i));
  quiet('link', 'del', bridge);
});

function spec(tag: string, i: number, gateway?: string): VethSpec {
  const n = (tag === 'ip' ? 10 : tag === 'nl' ? 20 : 30) + i;
  return { hostIf: hostIf(tag, i), bridge, ctrIf: `eth${i}`, mac: `02:42:0a:f9:00:${n.toString(16).padStart(2, '0')}`, address: `10.249.0.${n}/24`, mtu: 1450, gateway };
}

/** Runs one host call and checks the daemon's thread came back to its own namespace. */
async function home_<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } finally {
    assert.equal(self(), home, 'daemon thread left in a foreign network namespace');
  }
}

const VOLATILE = new Set(['ifindex', 'link_index', 'link_netnsid', 'valid_life_time', 'preferred_life_time', 'port_id', 'port_no', 'designated_port', 'designated_cost', 'designated_bridge', 'designated_root', 'hold_timer', 'message_age_timer', 'forward_delay_timer', 'topology_change_ack', 'config_pending', 'no', 'id', 'tentative', 'stats64', 'stats']);

/** A JSON tree without counters and indexes, with this instance's names, addresses and MACs replaced by placeholders. */
function normalize(v: unknown, subst: [string, string][]): unknown {
  if (Array.isArray(v)) return v.map((x) => normalize(x, subst));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => !VOLATILE.has(k)).map(([k, x]) => [k, normalize(x, subst)]));
  if (typeof v === 'string') return subst.reduce((s, [from, to]) => s.split(from).join(to), v);
  return v;
}

/** The EUI-64 IPv6 link-local address the kernel derives from a MAC (first group non-zero here). */
function linkLocal(mac: string): string {
  const b = mac.split(':').map((x) => parseInt(x, 16));
  const groups = [((b[0]! ^ 2) << 8) | b[1]!, (b[2]! << 8) | 0xff, 0xfe00 | b[3]!, (b[4]! << 8) | b[5]!];
  return `fe80::${groups.map((g) => g.toString(16)).join(':')}`;
}

/** What iproute2 shows of one namespace and the host ends of its veths. */
function snapshot(ns: string, tag: string, count: number): unknown {
  const subst: [string, string][] = [[ns, 'NS']];
  for (let i = 0; i < count; i++) {
    const s = spec(tag, i);
    subst.push([s.hostIf, `HOST${i}`], [s.address.split('/')[0]!, `IP${i}`], [s.mac, `MAC${i}`], [linkLocal(s.mac), `LL${i}`]);
  }
  const hostLinks = Array.from({ length: count }, (_, i) => {
    const [l] = JSON.parse(ip('-j', '-d', 'link', 'show', hostIf(tag, i))) as Record<string, unknown>[];
    delete l!.address;
    return l;
  });
  const inside = {
    addrs: JSON.parse(ip('-n', ns, '-j', '-d', 'addr')),
    routes: JSON.parse(ip('-n', ns, '-j', 'route', 'show', 'table', 'all')),
    routes6: JSON.parse(ip('-n', ns, '-j', '-6', 'route', 'show', 'table', 'all')),
  };
  return normalize({ hostLinks, inside }, subst);
}

test('NetlinkNetHost builds namespaces and veths exactly as IpNetHost does', { skip }, async () => {
  const nl = new NetlinkNetHost();
  for (const [tag, host] of [['ip', new IpNetHost()], ['nl', nl]] as const) {
    const ns = nsName(tag);
    created.add(ns);
    const path = await home_(host.createNetns(ns));
    assert.equal(path, `/run/netns/${ns}`);
    await home_(host.addVeth(ns, spec(tag, 0, '10.249.0.1'), true));
    await home_(host.addVeth(ns, spec(tag, 1), false));
  }
  const mode = (tag: string): number => (existsSync(`/run/netns/${nsName(tag)}`) ? Number(execFileSync('stat', ['-c', '%a', `/run/netns/${nsName(tag)}`], { encoding: 'utf8' })) : -1);
  assert.equal(mode('nl'), mode('ip'));
  await new Promise((res) => setTimeout(res, 2500)); // IPv6 DAD settles the same way on both
  const want = snapshot(nsName('ip'), 'ip', 2);
  if (process.env.BERTH_NLTEST_DUMP) process.stderr.write(`${JSON.stringify(want, null, 1)}\n`);
  assert.deepEqual(snapshot(nsName('nl'), 'nl', 2), want);
  const routes = JSON.parse(ip('-n', nsName('nl'), '-j', 'route')) as { dst: string; gateway?: string; dev: string }[];
  assert.deepEqual(routes.find((x) => x.dst === 'default'), { dst: 'default', gateway: '10.249.0.1', dev: 'eth0', flags: [] });
});

test('NetlinkNetHost deletes links and namespaces without leftovers', { skip }, async () => {
  const nl = new NetlinkNetHost();
  for (const tag of ['ip', 'nl']) {
    const ns = nsName(tag);
    await home_(nl.deleteLink(hostIf(tag, 1)));
    assert.throws(() => ip('link', 'show', hostIf(tag, 1)), /does not exist/);
    assert.deepEqual((JSON.parse(ip('-n', ns, '-j', 'link')) as { ifname: string }[]).map((l) => l.ifname).sort(), ['eth0', 'lo']);
    await home_(nl.deleteNetns(`/run/netns/${ns}`));
    assert.equal(existsSync(`/run/netns/${ns}`), false);
    assert.doesNotMatch(readFileSync('/proc/self/mountinfo', 'utf8'), new RegExp(ns));
    const deadline = Date.now() + 5000; // the kernel tears a namespace down asynchronously
    while (Date.now() < deadline && ip('-j', 'link').includes(hostIf(tag, 0))) await new Promise((res) => setTimeout(res, 50));
    assert.doesNotMatch(ip('-j', 'link'), new RegExp(hostIf(tag, 0)));
  }
  await home_(nl.deleteLink(hostIf('nl', 2))); // missing: no error, as IpNetHost
});

test('errors half-way leave the daemon thread home and nothing behind', { skip }, async () => {
  const nl = new NetlinkNetHost();
  const ns = nsName('err');
  created.add(ns);
  await home_(nl.createNetns(ns));
  await assert.rejects(home_(nl.createNetns(ns)), /Cannot create namespace file ".*": File exists/);
  await home_(nl.addVeth(ns, spec('err', 0), true));
  await assert.rejects(home_(nl.addVeth(ns, { ...spec('err', 0), ctrIf: 'eth9' }, false)), /RTNETLINK answers: File exists/);
  await assert.rejects(home_(nl.addVeth(ns, { ...spec('err', 1), bridge: `nob${r}` }, false)), /Cannot find device "nob/);
  await assert.rejects(home_(nl.addVeth(`${ns}-missing`, spec('err', 1), false)), /Cannot open network namespace/);
  // fails inside the namespace (eth0 is there already): the new pair is removed again
  await assert.rejects(home_(nl.addVeth(ns, { ...spec('err', 2), ctrIf: 'eth0' }, false)), /RTNETLINK answers: File exists/);
  // fails at the route, the last step inside
  await assert.rejects(home_(nl.addVeth(ns, { ...spec('err', 1), gateway: '10.249.9.1' }, false)), /RTNETLINK answers/);
  assert.throws(() => ip('link', 'show', hostIf('err', 1)), /does not exist/);
  assert.throws(() => ip('link', 'show', hostIf('err', 2)), /does not exist/);
  assert.deepEqual((JSON.parse(ip('-n', ns, '-j', 'link')) as { ifname: string }[]).map((l) => l.ifname).sort(), ['eth0', 'lo']);
  await home_(nl.deleteNetns(`/run/netns/${ns}`));
  assert.equal(existsSync(`/run/netns/${ns}`), false);
});

test('NetnsSwitch returns the thread home when the work inside throws', { skip }, () => {
  const ns = nsName('sw');
  created.add(ns);
  ip('netns', 'add', ns);
  const sw = NetnsSwitch.open(netlinkSys());
  try {
    const there = sw.inside(`/run/netns/${ns}`, self);
    assert.notEqual(there, home);
    assert.equal(self(), home);
    assert.throws(() => sw.inside(`/run/netns/${ns}`, () => {
      assert.equal(self(), there);
      throw new Error('boom');
    }), /boom/);
    assert.equal(self(), home);
    assert.ok(sw.isHome());
    assert.throws(() => sw.inside('/nonexistent/ns', () => 1), /ENOENT/);
    assert.equal(self(), home);
  } finally {
    sw.close();
    quiet('netns', 'del', ns);
  }
});

test('openNetHost picks netlink when it works, iproute2 when it does not', { skip }, () => {
  assert.ok(openNetHost() instanceof NetlinkNetHost);
  const warned: string[] = [];
  const logger = { ...silentLogger, warn: (msg: string) => void warned.push(msg) };
  const ip = new IpNetHost();
  assert.equal(openNetHost({ logger, ip, netnsDir: '/proc/berth-no-such-dir/netns' }), ip);
  assert.match(warned.join(), /rtnetlink unavailable/);
  assert.equal(self(), home);
});

test('ensureBridge: an existing bridge ends with exactly the wanted address (stale ones dropped), linkAddresses reads them', { skip }, async () => {
  const host = new IpNetHost();
  const b = `bea${r}`;
  try {
    ip('link', 'add', b, 'type', 'bridge');
    ip('addr', 'add', '10.249.7.1/24', 'dev', b);
    ip('addr', 'add', '10.249.8.1/24', 'dev', b);
    assert.deepEqual(await host.linkAddresses(b), ['10.249.7.1/24', '10.249.8.1/24']);
    await host.ensureBridge(b, '10.249.9.1/24', 1500);
    assert.deepEqual(await host.linkAddresses(b), ['10.249.9.1/24']);
    await host.ensureBridge(b, '10.249.9.1/24', 1500);
    assert.deepEqual(await host.linkAddresses(b), ['10.249.9.1/24']);
  } finally {
    quiet('link', 'del', b);
  }
  assert.deepEqual(await host.linkAddresses(b), []);
});
