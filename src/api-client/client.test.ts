import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { after, before, test } from 'node:test';
import { ApiError, ConnectionError } from './api-error.js';
import { containerAttach } from './container-attach.js';
import { containerLogs, copyOutput } from './container-logs.js';
import { containerCreate, containerList, containerWait } from './containers.js';
import { parseHost, resolveHost } from './host.js';
import { imageLoad, imageTag, splitRepoTag } from './images.js';
import { jsonMessages } from './json-stream.js';
import { FrameDemuxer, encodeFrame } from './stdcopy.js';
import { FakeDaemon } from './testing/fake-daemon.js';
import { Transport, encodeQuery } from './transport.js';

let d: FakeDaemon;
before(async () => {
  d = await FakeDaemon.start('1.41');
});
after(async () => {
  await d.stop();
});

const sink = (): { stream: PassThrough; text: () => string } => {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString() };
};

test('host selection: flag, then DOCKER_HOST, then the berth default', () => {
  assert.equal(resolveHost('unix:///a.sock', { DOCKER_HOST: 'unix:///b.sock' }).url, 'unix:///a.sock');
  assert.deepEqual(resolveHost(undefined, { DOCKER_HOST: 'unix:///b.sock' }), { kind: 'unix', socketPath: '/b.sock', url: 'unix:///b.sock' });
  assert.equal(resolveHost(undefined, {}).url, 'unix:///run/berth.sock');
  assert.deepEqual(parseHost('tcp://127.0.0.1:2375'), { kind: 'tcp', host: '127.0.0.1', port: 2375, url: 'tcp://127.0.0.1:2375' });
  assert.throws(() => parseHost('ftp://x'), /unable to parse docker host/);
});

test('version negotiation uses min(server, 1.43) as the path prefix', async () => {
  d.on('GET /containers/json', (_q, res) => d.json(res, 200, []));
  const t = new Transport({ host: d.host, env: {} });
  const from = d.requests.length;
  await containerList(t, { all: true, filters: { label: ['a=b'] } });
  await containerList(t, {});
  // a 1.41 daemon refuses the first request as /v1.43, is pinged, and gets it again as /v1.41
  assert.deepEqual(
    d.requests.slice(from).map((r) => `${r.method} ${r.version ?? '-'} ${r.path}`),
    ['GET 1.43 /containers/json', 'HEAD - /_ping', 'GET 1.41 /containers/json', 'GET 1.41 /containers/json'],
  );
  const seen = d.requests.filter((r) => r.path === '/containers/json').pop()!;
  assert.equal(seen.query.get('all'), null);
  assert.equal(d.requests[from + 2]!.query.get('filters'), '{"label":["a=b"]}');
  assert.equal(await t.apiVersion(), '1.41');
  t.close();
  for (const [server, want] of [
    ['1.47', '1.43'],
    ['1.43', '1.43'],
  ]) {
    const other = await FakeDaemon.start(server);
    try {
      other.on('GET /containers/json', (_q, res) => other.json(res, 200, []));
      const t2 = new Transport({ host: other.host, env: {} });
      await containerList(t2, {});
      await containerList(t2, {});
      // a daemon that speaks 1.43 is served without a ping
      assert.deepEqual(
        other.requests.map((r) => `${r.version ?? '-'} ${r.path}`),
        ['1.43 /containers/json', '1.43 /containers/json'],
      );
      assert.equal(await t2.apiVersion(), want);
      t2.close();
    } finally {
      await other.stop();
    }
  }
});

test('a hijack to a daemon older than 1.43 is refused, then made again with the negotiated version', async () => {
  d.onUpgrade('/exec/:id/start', (_q, socket) => socket.end());
  const t = new Transport({ host: d.host, env: {} });
  const from = d.requests.length;
  const conn = await t.hijack('/exec/abc/start', { body: { Detach: false } });
  conn.socket.destroy();
  assert.deepEqual(
    d.requests.slice(from).map((r) => `${r.method} ${r.version ?? '-'} ${r.path}`),
    ['POST 1.43 /exec/abc/start', 'HEAD - /_ping', 'POST 1.41 /exec/abc/start'],
  );
  t.close();
});

test('non-2xx replies throw ApiError with the daemon message', async () => {
  d.on('POST /containers/create', (q, res) => (q.query.get('name') === 'dup' ? d.error(res, 409, 'Conflict. The container name "/dup" is already in use') : d.json(res, 201, { Id: 'x', Warnings: [] })));
  const t = new Transport({ host: d.host, env: {} });
  await assert.rejects(containerCreate(t, { Image: 'busybox' }, { name: 'dup' }), (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.statusCode, 409);
    assert.equal(e.message, 'Conflict. The container name "/dup" is already in use');
    return true;
  });
  const ok = await containerCreate(t, { Image: 'busybox', Cmd: ['ls'] }, { name: 'fine' });
  assert.equal(ok.Id, 'x');
  assert.deepEqual(JSON.parse(d.requests.pop()!.body.toString()), { Image: 'busybox', Cmd: ['ls'] });
  t.close();
});

test('a missing socket is a ConnectionError with docker wording', async () => {
  const t = new Transport({ host: 'unix:///nonexistent/berth.sock', env: {} });
  await assert.rejects(t.ping(), (e: unknown) => e instanceof ConnectionError && e.message === 'Cannot connect to the Docker daemon at unix:///nonexistent/berth.sock. Is the docker daemon running?');
});

test('tag splits repo and tag after the last slash', async () => {
  d.on('POST /images/:name/tag', (_q, res) => {
    res.writeHead(201).end();
  });
  const t = new Transport({ host: d.host, env: {} });
  await imageTag(t, 'busybox', 'localhost:5000/bb:1.0');
  const seen = d.requests.pop()!;
  assert.equal(seen.path, '/images/busybox/tag');
  assert.equal(seen.query.get('repo'), 'localhost:5000/bb');
  assert.equal(seen.query.get('tag'), '1.0');
  assert.deepEqual(splitRepoTag('localhost:5000/a'), { repo: 'localhost:5000/a' });
  t.close();
});

test('wait passes the condition and returns the status', async () => {
  d.on('POST /containers/:id/wait', (q, res) => d.json(res, 200, { StatusCode: q.query.get('condition') === 'removed' ? 7 : 0 }));
  const t = new Transport({ host: d.host, env: {} });
  assert.equal((await containerWait(t, 'c1', 'removed')).StatusCode, 7);
  t.close();
});

test('logs are demultiplexed even when frames straddle chunks', async () => {
  const body = Buffer.concat([encodeFrame(1, 'out line\n'), encodeFrame(2, 'err line\n'), encodeFrame(1, 'more\n')]);
  d.on('GET /containers/:id/logs', async (_q, res) => {
    res.writeHead(200, { 'Content-Type': 'application/vnd.docker.raw-stream' });
    for (let i = 0; i < body.length; i += 5) {
      res.write(body.subarray(i, i + 5));
      await new Promise((r) => setImmediate(r));
    }
    res.end();
  });
  const t = new Transport({ host: d.host, env: {} });
  const out = sink();
  const err = sink();
  await copyOutput(await containerLogs(t, 'c1', { tail: '10' }), false, out.stream, err.stream);
  assert.equal(out.text(), 'out line\nmore\n');
  assert.equal(err.text(), 'err line\n');
  const seen = d.requests.pop()!;
  assert.equal(seen.query.get('tail'), '10');
  assert.equal(seen.query.get('stdout'), '1');
  t.close();
});

test('frame demuxer rejects unknown stream ids and truncated frames', async () => {
  const feed = (b: number[]): Promise<void> => pipeline(Readable.from([Buffer.from(b)]), new FrameDemuxer(() => undefined, () => undefined));
  await assert.rejects(feed([9, 0, 0, 0, 0, 0, 0, 1, 65]), /unrecognized stream id 9/);
  await assert.rejects(feed([1, 0, 0, 0, 0, 0, 0, 5, 65]), /trailing bytes/);
  await assert.rejects(feed([3, 0, 0, 0, 0, 0, 0, 4, 98, 111, 111, 109]), /boom/);
  await feed([1, 0, 0, 0, 0, 0, 0, 1, 65]);
});

test('attach hijacks the connection: stdin goes up, half-close ends the stream', async () => {
  d.onUpgrade('/containers/:id/attach', (_q, socket) => {
    socket.write(encodeFrame(1, 'ready\n'));
    const got: Buffer[] = [];
    socket.on('data', (b: Buffer) => got.push(b));
    socket.on('end', () => {
      socket.write(encodeFrame(1, `echo:${Buffer.concat(got).toString()}`));
      socket.write(encodeFrame(2, 'bye\n'));
      socket.end();
    });
  });
  const t = new Transport({ host: d.host, env: {} });
  const conn = await containerAttach(t, 'c1', { stdin: true, detachKeys: 'ctrl-x' });
  const seen = d.requests.pop()!;
  assert.equal(seen.headers.upgrade, 'tcp');
  assert.equal(seen.query.get('stdin'), '1');
  assert.equal(seen.query.get('stream'), '1');
  assert.equal(seen.query.get('detachKeys'), 'ctrl-x');
  const out = sink();
  const err = sink();
  const copying = copyOutput(conn.output, false, out.stream, err.stream);
  conn.socket.write('hello\n');
  conn.socket.end();
  await copying;
  assert.equal(out.text(), 'ready\necho:hello\n');
  assert.equal(err.text(), 'bye\n');
  t.close();
});

test('attach to a missing container rejects with ApiError', async () => {
  const t = new Transport({ host: d.host, env: {} });
  await assert.rejects(t.hijack('/nothing/here'), (e: unknown) => e instanceof ApiError && e.statusCode === 404);
});

test('load streams the body and yields progress messages', async () => {
  d.on('POST /images/load', (q, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(`{"stream":"Loaded image: busybox:latest\\n"}{"stream":"size=${q.body.length}\\n"}`);
  });
  const t = new Transport({ host: d.host, env: {} });
  const msgs = [];
  for await (const m of await imageLoad(t, Readable.from([Buffer.alloc(1000), Buffer.alloc(24)]))) msgs.push(m);
  assert.deepEqual(msgs, [{ stream: 'Loaded image: busybox:latest\n' }, { stream: 'size=1024\n' }]);
  assert.equal(d.requests.pop()!.headers['content-type'], 'application/x-tar');
  t.close();
});

test('json message stream parses values split anywhere and strings with braces', async () => {
  const text = '{"status":"a}"}\n{"id":"x","progressDetail":{"current":1}}{"status":"b\\"{"}';
  const chunks = text.match(/.{1,3}/gs)!;
  const out = [];
  for await (const m of jsonMessages(Readable.from(chunks))) out.push(m);
  assert.deepEqual(out, [{ status: 'a}' }, { id: 'x', progressDetail: { current: 1 } }, { status: 'b"{' }]);
});

test('query encoding drops empty values and repeats arrays', () => {
  assert.equal(encodeQuery({ a: true, b: false, c: undefined, d: null, names: ['x', 'y z'], n: 3 }), '?a=1&b=0&names=x&names=y%20z&n=3');
  assert.equal(encodeQuery({}), '');
});
