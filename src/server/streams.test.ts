import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { request } from 'node:http';
import { fakeBackends } from './fake-backends.js';
import { startTestServer, call } from './test-server.js';
import { deframe } from './stdcopy.js';
import { EngineError } from '../shared/errors.js';

/** Sends a raw HTTP request, optionally writes `stdin` then half-closes, collects everything until EOF. */
function rawExchange(socketPath: string, head: string, stdin?: string): Promise<{ headers: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const sock = connect({ path: socketPath, allowHalfOpen: true });
    const parts: Buffer[] = [];
    let sentStdin = false;
    sock.on('data', (d: Buffer) => {
      parts.push(d);
      const all = Buffer.concat(parts);
      if (!sentStdin && all.includes('\r\n\r\n')) {
        sentStdin = true;
        if (stdin !== undefined) sock.write(stdin, () => sock.end());
      }
    });
    sock.on('end', () => {
      const all = Buffer.concat(parts);
      const i = all.indexOf('\r\n\r\n');
      resolve({ headers: all.subarray(0, i).toString(), body: all.subarray(i + 4) });
      sock.destroy();
    });
    sock.on('error', reject);
    sock.write(head);
  });
}

const upgradeReq = (path: string): string => `POST ${path} HTTP/1.1\r\nHost: api\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n`;

test('attach (non-TTY): 101 UPGRADED, stdcopy frames, stdin, half-close ends container stdin', async () => {
  const b = fakeBackends();
  const srv = await startTestServer(b);
  try {
    const r = await rawExchange(srv.socketPath, upgradeReq('/v1.43/containers/c1/attach?stream=1&stdin=1&stdout=1&stderr=1'), 'hello');
    assert.match(r.headers, /^HTTP\/1\.1 101 UPGRADED\r\n/);
    assert.match(r.headers, /Content-Type: application\/vnd\.docker\.multiplexed-stream/);
    assert.match(r.headers, /Upgrade: tcp/);
    const frames = [...deframe(r.body)].map((f) => [f.stream, f.data.toString()]);
    assert.deepEqual(frames, [
      [1, 'out1\n'],
      [2, 'err1\n'],
      [1, 'got:hello'],
    ]);
    assert.equal(b.fake.containers.get('c1')!.stdinEnded, true);
  } finally {
    await srv.close();
  }
});

test('attach (TTY): raw stream, no frame headers; API < 1.42 says raw-stream', async () => {
  const b = fakeBackends();
  const srv = await startTestServer(b);
  try {
    const r = await rawExchange(srv.socketPath, upgradeReq('/containers/web/attach?stream=1&stdout=1'));
    assert.match(r.headers, /Content-Type: application\/vnd\.docker\.raw-stream/);
    assert.equal(r.body.toString(), 'out1\nerr1\n');
    const old = await rawExchange(srv.socketPath, upgradeReq('/v1.41/containers/c1/attach?stream=1&stdout=1'));
    assert.match(old.headers, /Content-Type: application\/vnd\.docker\.raw-stream/);
    assert.equal([...deframe(old.body)].length, 2, 'still multiplexed bytes for non-TTY');
  } finally {
    await srv.close();
  }
});

test('attach to a missing container over Upgrade gets a plain 404 JSON error', async () => {
  const srv = await startTestServer(fakeBackends());
  try {
    const r = await rawExchange(srv.socketPath, upgradeReq('/containers/missing/attach?stream=1&stdout=1'));
    assert.match(r.headers, /^HTTP\/1\.1 404 /);
    assert.match(r.body.toString(), /No such container: missing/);
  } finally {
    await srv.close();
  }
});

test('logs: multiplexed frames for non-TTY, raw for TTY', async () => {
  const srv = await startTestServer(fakeBackends());
  try {
    const r = await call(srv.socketPath, 'GET', '/containers/c1/logs?stdout=1&stderr=1');
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], 'application/vnd.docker.multiplexed-stream');
    assert.deepEqual([...deframe(r.body)].map((f) => [f.stream, f.data.toString()]), [
      [1, 'out1\n'],
      [2, 'err1\n'],
    ]);
    const ts = await call(srv.socketPath, 'GET', '/containers/c1/logs?stdout=1&stderr=1&timestamps=1');
    assert.deepEqual([...deframe(ts.body)].map((f) => f.data.toString()), ['2024-01-01T00:00:00.000000000Z out1\n', '2024-01-01T00:00:00.000000000Z err1\n']);
    const t = await call(srv.socketPath, 'GET', '/containers/web/logs?stdout=1');
    assert.equal(t.headers['content-type'], 'application/vnd.docker.raw-stream');
    assert.equal(t.text, 'out1\nerr1\n');
  } finally {
    await srv.close();
  }
});

test('wait: headers arrive before exit, body when the container exits', async () => {
  const b = fakeBackends();
  const srv = await startTestServer(b);
  try {
    const body = await new Promise<string>((resolve, reject) => {
      const req = request({ socketPath: srv.socketPath, method: 'POST', path: '/v1.43/containers/web/wait?condition=next-exit' }, (res) => {
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers['content-type'], 'application/json');
        // headers are here while the container still runs: now stop it
        assert.equal(b.fake.containers.get('web')!.running, true);
        void call(srv.socketPath, 'POST', '/containers/web/stop');
        let s = '';
        res.on('data', (d) => (s += d));
        res.on('end', () => resolve(s));
      });
      req.on('error', reject);
      req.end();
    });
    assert.deepEqual(JSON.parse(body), { Error: null, StatusCode: 137 });
    assert.ok(b.fake.calls.includes('wait web next-exit'));
  } finally {
    await srv.close();
  }
});

test('load: JSON progress stream; errors after output become errorDetail messages', async () => {
  const srv = await startTestServer(fakeBackends());
  try {
    const ok = await call(srv.socketPath, 'POST', '/images/load?quiet=1', Buffer.alloc(10), { 'Content-Type': 'application/x-tar' });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['content-type'], 'application/json');
    assert.deepEqual(ok.text.split('\r\n').filter(Boolean).map((l) => JSON.parse(l)), [{ stream: 'Loaded image: loaded:10\n' }]);
    const bad = await call(srv.socketPath, 'POST', '/images/load', Buffer.alloc(13));
    assert.equal(bad.status, 200);
    const msgs = bad.text.split('\r\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.deepEqual(msgs[1], { errorDetail: { message: 'broken tar after progress' }, error: 'broken tar after progress' });
  } finally {
    await srv.close();
  }
});

test('import: body becomes an image, changes/message passed, id reported as status', async () => {
  const b = fakeBackends();
  const srv = await startTestServer(b);
  try {
    const r = await call(srv.socketPath, 'POST', '/images/create?fromSrc=-&repo=imp&tag=v2&changes=CMD%20%5B%22sh%22%5D&changes=ENV%20A%3D1&message=hi', Buffer.alloc(7));
    assert.equal(r.status, 200);
    const msgs = r.text.split('\r\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.deepEqual(msgs, [{ status: 'importing 7 bytes' }, { status: 'sha256:' + 'b'.repeat(64) }]);
    assert.ok(b.fake.calls.includes('import changes=["CMD [\\"sh\\"]","ENV A=1"] message=hi'));
    const i = await call(srv.socketPath, 'GET', '/images/imp:v2/json');
    assert.equal(i.status, 200);
  } finally {
    await srv.close();
  }
});

test('events: replay with since/until, filters, live events', async () => {
  const b = fakeBackends();
  const srv = await startTestServer(b);
  try {
    const t0 = Date.now() / 1000 - 1;
    b.fake.bus.publish({ Type: 'container', Action: 'create', Actor: { ID: 'c1', Attributes: { name: 'c1', image: 'busybox' } } });
    b.fake.bus.publish({ Type: 'image', Action: 'tag', Actor: { ID: 'sha256:x', Attributes: { name: 'busybox:latest' } } });
    const until = (Date.now() + 1) / 1000;
    const past = await call(srv.socketPath, 'GET', `/events?since=${t0}&until=${until.toFixed(9)}&filters=${encodeURIComponent('{"type":["container"]}')}`);
    const lines = past.text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.equal(lines.length, 1);
    assert.equal(lines[0].Action, 'create');
    assert.equal(lines[0].status, 'create');
    assert.equal(lines[0].from, 'busybox');
    assert.equal(lines[0].scope, 'local');
    const bad = await call(srv.socketPath, 'GET', `/events?filters=${encodeURIComponent('{"bogus":["x"]}')}`);
    assert.equal(bad.status, 400);
    // live: subscribe, publish, read one line, disconnect
    const live = await new Promise<string>((resolve, reject) => {
      const req = request({ socketPath: srv.socketPath, path: '/events?filters=' + encodeURIComponent('{"event":["start"]}') }, (res) => {
        res.once('data', (d: Buffer) => {
          resolve(d.toString());
          req.destroy();
        });
        b.fake.bus.publish({ Type: 'container', Action: 'die', Actor: { ID: 'c1' } });
        b.fake.bus.publish({ Type: 'container', Action: 'start', Actor: { ID: 'c1' } });
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(JSON.parse(live).Action, 'start');
  } finally {
    await srv.close();
  }
});

test('attach without Upgrade: 200 OK, unchunked body until the connection closes', async () => {
  const srv = await startTestServer(fakeBackends());
  try {
    const r = await rawExchange(srv.socketPath, `POST /containers/c1/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: api\r\nContent-Length: 0\r\n\r\n`);
    assert.match(r.headers, /^HTTP\/1\.1 200 OK\r\n/);
    assert.doesNotMatch(r.headers, /Transfer-Encoding/i);
    assert.deepEqual([...deframe(r.body)].map((f) => f.data.toString()), ['out1\n', 'err1\n']);
  } finally {
    await srv.close();
  }
});

test('shutdown drops hijacked attach connections instead of waiting for them', { timeout: 5000 }, async () => {
  const srv = await startTestServer(fakeBackends());
  const sock = connect({ path: srv.socketPath, allowHalfOpen: true });
  await new Promise<void>((resolve) => {
    sock.once('data', () => resolve());
    sock.write(upgradeReq('/containers/c1/attach?stream=1&stdin=1&stdout=1'));
  });
  const closed = new Promise<void>((r) => sock.once('end', () => r()));
  sock.on('error', () => {});
  const t0 = Date.now();
  await srv.close();
  await closed;
  assert.ok(Date.now() - t0 < 2000);
});

test('a failure after hijacking closes the stream without writing an HTTP error into it', async () => {
  const srv = await startTestServer(fakeBackends());
  try {
    const r = await rawExchange(srv.socketPath, upgradeReq('/containers/boom/attach?stream=1&stdout=1&stderr=1'));
    assert.match(r.headers, /^HTTP\/1\.1 101 UPGRADED/);
    assert.deepEqual([...deframe(r.body)].map((f) => f.data.toString()), ['out1\n', 'err1\n']);
    assert.doesNotMatch(r.body.toString(), /HTTP\/1\.1|monitor went away/);
  } finally {
    await srv.close();
  }
});

test('pull: fromImage/tag/platform and X-Registry-Auth reach the puller; progress streams', async () => {
  const b = fakeBackends();
  const seen: unknown[] = [];
  b.puller = {
    pull: async (ref, opts, progress) => {
      seen.push(ref, opts);
      if (ref.image === 'denied') throw new EngineError('not-found', 'pull access denied for denied');
      progress({ status: 'Pulling from library/busybox', id: 'latest' });
      if (ref.image === 'broken') throw new Error('unexpected EOF');
      progress({ status: 'Status: Downloaded newer image for busybox:latest' });
    },
  };
  const srv = await startTestServer(b);
  try {
    const r = await call(srv.socketPath, 'POST', '/v1.43/images/create?fromImage=busybox&tag=latest&platform=linux%2Famd64', undefined, { 'X-Registry-Auth': 'e30=' });
    assert.equal(r.status, 200);
    assert.deepEqual(seen, [{ image: 'busybox', tag: 'latest', platform: 'linux/amd64' }, { authConfig: 'e30=' }]);
    assert.equal(r.text.split('\r\n').filter(Boolean).length, 2);
    const d = await call(srv.socketPath, 'POST', '/images/create?fromImage=denied');
    assert.equal(d.status, 404);
    const x = await call(srv.socketPath, 'POST', '/images/create?fromImage=broken');
    assert.equal(x.status, 200);
    assert.match(x.text, /"errorDetail":\{"message":"unexpected EOF"\}/);
  } finally {
    await srv.close();
  }
});
