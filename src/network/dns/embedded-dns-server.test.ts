import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import { EmbeddedDnsServer, type EmbeddedDnsOptions } from './embedded-dns-server.js';
import { answerData, askTcp, askUdp, FakeScope, FakeUpstream, query, type UpstreamHandler } from './testing/dns-test-kit.js';

const NOERROR = 0;
const FORMERR = 1;
const SERVFAIL = 2;
const NXDOMAIN = 3;
const NOTIMP = 4;

/** A server on 127.0.0.1:<free port> with a fake scope and, optionally, a fake upstream. */
async function setup(opts: { upstream?: UpstreamHandler; upstreams?: string[]; server?: EmbeddedDnsOptions } = {}) {
  const upstream = opts.upstream ? await FakeUpstream.start(opts.upstream) : undefined;
  const scope = new FakeScope(
    { web: ['172.30.0.2', '172.30.0.3', '172.30.0.4'], db: ['172.30.0.9'] },
    { '172.30.0.9': 'db.mynet' },
    opts.upstreams ?? (upstream ? [upstream.entry] : []),
  );
  const dns = new EmbeddedDnsServer(scope, opts.server);
  const port = await dns.listen('127.0.0.1', 0);
  const cleanup = async (): Promise<void> => {
    await dns.close();
    await upstream?.close();
  };
  return { dns, scope, upstream, port, cleanup };
}

const answers: UpstreamHandler = (q) => ({ flags: dnsPacket.AUTHORITATIVE_ANSWER, answers: [{ type: 'A', name: q.questions![0]!.name, ttl: 77, data: '10.9.9.9' }] });

test('A for a container name answers every address, TTL 600, RA set, AA not set, ID and question echoed', async () => {
  const { scope, port, cleanup } = await setup();
  try {
    const reply = await askUdp(port, query('web', 'A', 0xbeef), { from: '127.0.0.5' });
    assert.ok(reply);
    assert.equal(reply.packet.id, 0xbeef);
    assert.equal(reply.rcode, NOERROR);
    assert.equal(reply.packet.type, 'response');
    assert.equal(reply.packet.flag_ra, true);
    assert.equal(reply.packet.flag_aa, false);
    assert.equal(reply.packet.flag_rd, true);
    assert.deepEqual(reply.packet.questions, [{ name: 'web', type: 'A', class: 'IN' }]);
    assert.deepEqual([...answerData(reply)].sort(), ['172.30.0.2', '172.30.0.3', '172.30.0.4']);
    for (const a of reply.packet.answers!) assert.deepEqual([a.name, a.type, (a as { ttl?: number }).ttl], ['web', 'A', 600]);
    assert.deepEqual(scope.lookups.at(-1), { server: '127.0.0.1', client: '127.0.0.5', name: 'web' });
  } finally {
    await cleanup();
  }
});

test('A answers are shuffled per query (round robin)', async () => {
  const { port, cleanup } = await setup();
  try {
    const orders = new Set<string>();
    for (let i = 0; i < 30; i++) orders.add(answerData(await askUdp(port, query('web', 'A', i))).join(','));
    assert.ok(orders.size > 1, `always the same order: ${[...orders].join(' | ')}`);
  } finally {
    await cleanup();
  }
});

test('names match case-insensitively; the scope gets lower case without the trailing dot; the answer keeps the asked case', async () => {
  const { scope, port, cleanup } = await setup();
  try {
    const reply = await askUdp(port, query('DB.', 'A'));
    assert.deepEqual(answerData(reply), ['172.30.0.9']);
    assert.equal(reply?.packet.answers![0]!.name, 'DB');
    assert.equal(scope.lookups.at(-1)?.name, 'db');
  } finally {
    await cleanup();
  }
});

test('AAAA and MX for a known name: NOERROR without records, nothing forwarded', async () => {
  const { upstream, port, cleanup } = await setup({ upstream: answers });
  try {
    for (const type of ['AAAA', 'MX'] as const) {
      const reply = await askUdp(port, query('web', type));
      assert.equal(reply?.rcode, NOERROR);
      assert.equal(reply?.packet.answers!.length, 0);
      assert.deepEqual(reply?.packet.questions, [{ name: 'web', type, class: 'IN' }]);
    }
    assert.equal(upstream!.seen.length, 0);
  } finally {
    await cleanup();
  }
});

test('PTR for a container address answers its name; an unknown address is forwarded', async () => {
  const { scope, upstream, port, cleanup } = await setup({ upstream: () => ({ flags: NXDOMAIN }) });
  try {
    const reply = await askUdp(port, query('9.0.30.172.in-addr.arpa', 'PTR'));
    assert.equal(reply?.rcode, NOERROR);
    assert.deepEqual(
      reply?.packet.answers!.map((a) => [a.name, a.type, 'data' in a ? a.data : undefined]),
      [['9.0.30.172.in-addr.arpa', 'PTR', 'db.mynet']],
    );
    assert.deepEqual(scope.reverses, ['172.30.0.9']);
    const other = await askUdp(port, query('8.0.30.172.in-addr.arpa', 'PTR'));
    assert.equal(other?.rcode, NXDOMAIN);
    assert.deepEqual(upstream!.seen.map((s) => s.name), ['8.0.30.172.in-addr.arpa']);
  } finally {
    await cleanup();
  }
});

test('unknown names and other types are forwarded and relayed unchanged but for the ID', async () => {
  const { upstream, port, cleanup } = await setup({ upstream: answers });
  try {
    const reply = await askUdp(port, query('example.test', 'A', 0x4242));
    assert.equal(reply?.packet.id, 0x4242);
    assert.equal(reply?.rcode, NOERROR);
    assert.equal(reply?.packet.flag_aa, true, 'the upstream AA flag is relayed');
    assert.equal(reply?.packet.flag_ra, false, 'the upstream flags are not rewritten');
    assert.deepEqual(answerData(reply), ['10.9.9.9']);
    assert.equal((reply?.packet.answers![0] as { ttl?: number }).ttl, 77);
    const txt = await askUdp(port, query('web', 'TXT'));
    assert.deepEqual(answerData(txt), ['10.9.9.9']);
    assert.deepEqual(upstream!.seen.map((s) => [s.transport, s.name, s.type]), [
      ['udp', 'example.test', 'A'],
      ['udp', 'web', 'TXT'],
    ]);
  } finally {
    await cleanup();
  }
});

test('upstreams are tried in order: SERVFAIL or REFUSED moves on, NXDOMAIN is final', async () => {
  const failing = await FakeUpstream.start(() => ({ flags: SERVFAIL }));
  const refusing = await FakeUpstream.start(() => ({ flags: 5 }));
  const nx = await FakeUpstream.start(() => ({ flags: NXDOMAIN }));
  const good = await FakeUpstream.start(answers);
  const { port, cleanup } = await setup({ upstreams: [failing.entry, refusing.entry, nx.entry, good.entry] });
  try {
    const reply = await askUdp(port, query('example.test', 'A'));
    assert.equal(reply?.rcode, NXDOMAIN);
    assert.deepEqual([failing.seen.length, refusing.seen.length, nx.seen.length, good.seen.length], [1, 1, 1, 0]);
  } finally {
    await cleanup();
    await Promise.all([failing, refusing, nx, good].map((u) => u.close()));
  }
});

test('TCP: several queries on one connection; forwarded queries go upstream over TCP', async () => {
  const { upstream, port, cleanup } = await setup({ upstream: answers });
  try {
    const replies = await askTcp(port, [query('web', 'A', 1), query('db', 'A', 2), query('example.test', 'A', 3)]);
    assert.equal(replies.length, 3);
    const byId = new Map(replies.map((r) => [r.packet.id, r]));
    assert.equal(answerData(byId.get(1)).length, 3);
    assert.deepEqual(answerData(byId.get(2)), ['172.30.0.9']);
    assert.deepEqual(answerData(byId.get(3)), ['10.9.9.9']);
    assert.deepEqual(upstream!.seen.map((s) => s.transport), ['tcp']);
  } finally {
    await cleanup();
  }
});

test('a truncated upstream reply is passed through to a UDP client, which can retry over TCP', async () => {
  const many = (name: string) => Array.from({ length: 60 }, (_, i) => ({ type: 'A' as const, name, ttl: 5, data: `10.1.${i}.1` }));
  const { port, cleanup } = await setup({
    upstream: (q, transport) => (transport === 'udp' ? { flags: dnsPacket.TRUNCATED_RESPONSE } : { answers: many(q.questions![0]!.name) }),
  });
  try {
    const udp = await askUdp(port, query('big.test', 'A'));
    assert.equal(udp?.packet.flag_tc, true);
    assert.equal(udp?.packet.answers!.length, 0);
    const [tcp] = await askTcp(port, [query('big.test', 'A')]);
    assert.equal(tcp?.packet.flag_tc, false);
    assert.equal(tcp?.packet.answers!.length, 60);
  } finally {
    await cleanup();
  }
});

test('an oversized reply to a UDP client without EDNS is cut to 512 bytes with TC set', async () => {
  const addresses = Array.from({ length: 60 }, (_, i) => `172.31.${i}.1`);
  const { scope, port, cleanup } = await setup({
    upstream: (q) => ({ answers: addresses.map((data) => ({ type: 'A' as const, name: q.questions![0]!.name, ttl: 5, data })) }),
  });
  scope.names['many'] = addresses;
  try {
    const local = await askUdp(port, query('many', 'A'));
    assert.ok(local && local.raw.length <= 512);
    assert.equal(local.packet.flag_tc, true);
    assert.ok(local.packet.answers!.length > 0 && local.packet.answers!.length < 60);
    const edns = await askUdp(port, query('many', 'A', 7, { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] }));
    assert.equal(edns?.packet.flag_tc, false);
    assert.equal(edns?.packet.answers!.length, 60);
    const [tcp] = await askTcp(port, [query('many', 'A')]);
    assert.equal(tcp?.packet.flag_tc, false);
    assert.equal(tcp?.packet.answers!.length, 60);
    const relayed = await askUdp(port, query('many.test', 'A'));
    assert.ok(relayed && relayed.raw.length <= 512);
    assert.equal(relayed.packet.flag_tc, true);
    assert.deepEqual(relayed.packet.questions, [{ name: 'many.test', type: 'A', class: 'IN' }]);
  } finally {
    await cleanup();
  }
});

test('a silent upstream gives SERVFAIL after the timeout while container names are answered at once', async () => {
  const { upstream, port, cleanup } = await setup({ upstream: () => null, server: { upstreamTimeoutMs: 2000 } });
  try {
    const forwarded = askUdp(port, query('slow.test', 'A', 11), { timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 50));
    const local = await askUdp(port, query('web', 'A', 12), { timeoutMs: 5000 });
    assert.ok(local && local.ms < 500, `container name answered after ${local?.ms} ms`);
    assert.equal(answerData(local).length, 3);
    const [tcpLocal] = await askTcp(port, [query('db', 'A', 13)]);
    assert.ok(tcpLocal && tcpLocal.ms < 500);
    const failed = await forwarded;
    assert.ok(failed, 'the forwarded query got an answer');
    assert.equal(failed.rcode, SERVFAIL);
    assert.equal(failed.packet.id, 11);
    assert.deepEqual(failed.packet.questions, [{ name: 'slow.test', type: 'A', class: 'IN' }]);
    assert.ok(failed.ms >= 1900, `SERVFAIL after ${failed.ms} ms, before the upstream timeout`);
    assert.equal(upstream!.seen.length, 1);
  } finally {
    await cleanup();
  }
});

test('an upstream with nothing listening is skipped; all failing gives SERVFAIL', async () => {
  const closed = dgram.createSocket('udp4');
  await new Promise<void>((r) => closed.bind(0, '127.0.0.1', r));
  const deadEntry = `127.0.0.1:${closed.address().port}`;
  await new Promise<void>((r) => closed.close(() => r()));
  const good = await FakeUpstream.start(answers);
  const { scope, port, cleanup } = await setup({ upstreams: [deadEntry], server: { upstreamTimeoutMs: 500 } });
  try {
    assert.equal((await askUdp(port, query('example.test', 'A')))?.rcode, SERVFAIL);
    assert.equal((await askTcp(port, [query('example.test', 'A')]))[0]?.rcode, SERVFAIL);
    scope.upstreamList = [deadEntry, good.entry];
    assert.deepEqual(answerData(await askUdp(port, query('example.test', 'A'))), ['10.9.9.9']);
  } finally {
    await cleanup();
    await good.close();
  }
});

test('internal network (no upstreams): unknown names get SERVFAIL at once, container names still answer', async () => {
  const { port, cleanup } = await setup({ upstreams: [] });
  try {
    const reply = await askUdp(port, query('nonexistent', 'A', 77));
    assert.equal(reply?.rcode, SERVFAIL);
    assert.equal(reply?.packet.id, 77);
    assert.equal(reply?.packet.flag_ra, false);
    assert.deepEqual(reply?.packet.questions, [{ name: 'nonexistent', type: 'A', class: 'IN' }]);
    assert.ok(reply.ms < 500);
    assert.equal((await askUdp(port, query('web', 'TXT')))?.rcode, SERVFAIL);
    assert.deepEqual(answerData(await askUdp(port, query('db', 'A'))), ['172.30.0.9']);
  } finally {
    await cleanup();
  }
});

test('malformed input: short garbage and responses are ignored, bad queries get FORMERR/NOTIMP, the server keeps answering', async () => {
  const { port, cleanup } = await setup();
  try {
    assert.equal(await askUdp(port, Buffer.from('dead', 'hex'), { timeoutMs: 300 }), undefined);
    const response = query('web', 'A');
    response.writeUInt16BE(response.readUInt16BE(2) | 0x8000, 2);
    assert.equal(await askUdp(port, response, { timeoutMs: 300 }), undefined);
    const cut = query('web', 'A', 0x0101).subarray(0, 16);
    const formerr = await askUdp(port, cut);
    assert.deepEqual([formerr?.rcode, formerr?.raw.readUInt16BE(0), formerr?.raw.length], [FORMERR, 0x0101, 12]);
    const noQuestion = Buffer.from('020201000000000000000000', 'hex');
    assert.equal((await askUdp(port, noQuestion))?.rcode, FORMERR);
    const status = query('web', 'A', 0x0303);
    status.writeUInt16BE(status.readUInt16BE(2) | (2 << 11), 2);
    assert.equal((await askUdp(port, status))?.rcode, NOTIMP);
    const tcp = await askTcp(port, [Buffer.from('00', 'hex'), query('db', 'A', 9)]);
    assert.deepEqual(tcp.map((r) => r.packet.id), [9]);
    assert.deepEqual(answerData(await askUdp(port, query('db', 'A'))), ['172.30.0.9']);
  } finally {
    await cleanup();
  }
});

test('forwarded queries beyond the in-flight bound are dropped', async () => {
  const { port, cleanup } = await setup({ upstream: () => null, server: { upstreamTimeoutMs: 400, maxInFlight: 2 } });
  try {
    const replies = await Promise.all([1, 2, 3].map((id) => askUdp(port, query(`q${id}.test`, 'A', id), { timeoutMs: 1500 })));
    const rcodes = replies.map((r) => r?.rcode);
    assert.equal(rcodes.filter((c) => c === SERVFAIL).length, 2);
    assert.equal(rcodes.filter((c) => c === undefined).length, 1);
  } finally {
    await cleanup();
  }
});

test('a second address with port 0 reuses the first port when free, else takes another', async () => {
  const { dns, port, cleanup } = await setup();
  const squatter = dgram.createSocket('udp4');
  try {
    assert.equal(await dns.listen('127.0.0.2', 0), port);
    assert.deepEqual(answerData(await askUdp(port, query('db', 'A'), { server: '127.0.0.2' })), ['172.30.0.9']);
    await new Promise<void>((r) => squatter.bind(port, '127.0.0.3', r));
    const other = await dns.listen('127.0.0.3', 0);
    assert.notEqual(other, port);
    assert.deepEqual(answerData(await askUdp(other, query('db', 'A'), { server: '127.0.0.3' })), ['172.30.0.9']);
    assert.equal(await dns.listen('127.0.0.3', 0), other, 'listening again is a no-op');
    await assert.rejects(dns.listen('127.0.0.3', port), /already listens/);
  } finally {
    squatter.close();
    await cleanup();
  }
});

test('unlisten stops one address and cancels its forwards; the others keep answering', async () => {
  const { dns, port, cleanup } = await setup({ upstream: () => null, server: { upstreamTimeoutMs: 3000 } });
  try {
    await dns.listen('127.0.0.2', port);
    const pending = askUdp(port, query('slow.test', 'A'), { server: '127.0.0.2', timeoutMs: 1000 });
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await dns.unlisten('127.0.0.2');
    assert.ok(Date.now() - started < 500, 'unlisten waited for the forward');
    assert.equal(await pending, undefined);
    assert.equal(await askUdp(port, query('db', 'A'), { server: '127.0.0.2', timeoutMs: 300 }), undefined);
    assert.deepEqual(answerData(await askUdp(port, query('db', 'A'))), ['172.30.0.9']);
    await dns.unlisten('127.0.0.2');
  } finally {
    await cleanup();
  }
});

test('close() frees the ports, cancels forwards, and refuses new listens', async () => {
  const { dns, port, cleanup } = await setup({ upstream: () => null, server: { upstreamTimeoutMs: 3000 } });
  try {
    const pending = askUdp(port, query('slow.test', 'A'), { timeoutMs: 1000 });
    const open = askTcp(port, [query('slow.test', 'A')], { timeoutMs: 1000 });
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await dns.close();
    assert.ok(Date.now() - started < 500, 'close waited for the forwards');
    assert.equal(await pending, undefined);
    assert.deepEqual(await open, []);
    const again = new EmbeddedDnsServer(new FakeScope());
    assert.equal(await again.listen('127.0.0.1', port), port, 'the port is free again');
    await again.close();
    await assert.rejects(dns.listen('127.0.0.1', 0), /closed/);
  } finally {
    await cleanup();
  }
});
