import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { dechunk, simpleExchange, simpleUpgrade } from './simple-http.js';

let dir: string;
let server: http.Server;
let target: { socketPath: string };
const seen: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'berth-simple-http-'));
  target = { socketPath: path.join(dir, 's.sock') };
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
      if (req.url === '/chunked') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'X-Multi': ['a', 'b'] });
        res.write('[1,');
        setTimeout(() => res.end('2]'), 20);
      } else if (req.url === '/empty') res.writeHead(204).end();
      else if (req.url === '/ping') res.writeHead(200, { 'Api-Version': '1.43', 'Content-Length': '2' }).end(req.method === 'HEAD' ? undefined : 'OK');
      else if (req.url === '/err') res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"message":"No such container: x"}');
      else res.writeHead(200, { 'Content-Length': '5' }).end('hello');
    });
  });
  server.on('upgrade', (req, socket, head) => {
    assert.equal(head.length, 0);
    if (req.url === '/no') {
      socket.end('HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nContent-Length: 19\r\n\r\n{"message":"nope!"}');
      return;
    }
    socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nfirst');
    socket.on('data', (d: Buffer) => socket.end(`echo:${d.toString()}`));
  });
  await new Promise<void>((resolve) => server.listen(target.socketPath, resolve));
});
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

test('dechunk waits for the last chunk, then joins the chunks', () => {
  const whole = Buffer.from('3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n');
  assert.equal(dechunk(whole)?.toString(), 'abcde');
  assert.equal(dechunk(whole.subarray(0, 12)), undefined);
  assert.throws(() => dechunk(Buffer.from('zz\r\n')), /bad chunk size/);
});

test('a GET with a chunked reply (written in two parts), headers lower-cased and joined', async () => {
  const r = await simpleExchange(target, { method: 'GET', path: '/chunked', headers: { 'X-Req': '1' } });
  assert.equal(r.statusCode, 200);
  assert.equal(r.body.toString(), '[1,2]');
  assert.equal(r.headers['content-type'], 'application/json');
  assert.equal(r.headers['x-multi'], 'a, b');
  const s = seen.at(-1)!;
  assert.equal(s.headers['x-req'], '1');
  assert.equal(s.headers.host, 'localhost');
});

test('a POST sends its body with a Content-Length; 204 and HEAD replies have no body', async () => {
  const r = await simpleExchange(target, { method: 'POST', path: '/x', headers: { 'Content-Type': 'application/json' }, body: Buffer.from('{"a":1}') });
  assert.equal(r.body.toString(), 'hello');
  assert.equal(seen.at(-1)!.body, '{"a":1}');
  assert.equal(seen.at(-1)!.headers['content-length'], '7');
  assert.equal((await simpleExchange(target, { method: 'POST', path: '/empty', headers: {} })).statusCode, 204);
  const head = await simpleExchange(target, { method: 'HEAD', path: '/ping', headers: {} });
  assert.equal(head.headers['api-version'], '1.43');
  assert.equal(head.body.length, 0);
  assert.equal((await simpleExchange(target, { method: 'GET', path: '/ping', headers: {} })).body.toString(), 'OK');
});

test('error statuses come back as responses; a missing socket is ENOENT', async () => {
  const r = await simpleExchange(target, { method: 'GET', path: '/err', headers: {} });
  assert.equal(r.statusCode, 404);
  assert.equal(r.body.toString(), '{"message":"No such container: x"}');
  await assert.rejects(simpleExchange({ socketPath: path.join(dir, 'none.sock') }, { method: 'GET', path: '/', headers: {} }), { code: 'ENOENT' });
});

test('an upgrade hands over the socket with the bytes after the head; a refusal is a response', async () => {
  const up = await simpleUpgrade(target, { method: 'POST', path: '/attach', headers: {} });
  assert.ok('socket' in up);
  assert.equal(up.head.toString(), 'first');
  const rest: Buffer[] = [];
  up.socket.on('data', (d: Buffer) => rest.push(d));
  const ended = new Promise((resolve) => up.socket.on('end', resolve));
  up.socket.write('ping');
  await ended;
  assert.equal(Buffer.concat(rest).toString(), 'echo:ping');
  up.socket.destroy();
  const no = await simpleUpgrade(target, { method: 'POST', path: '/no', headers: {} });
  assert.ok(!('socket' in no));
  assert.equal(no.statusCode, 409);
  assert.equal(no.body.toString(), '{"message":"nope!"}');
});
