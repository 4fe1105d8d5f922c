import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serveRegistry, type RunningRegistry } from '../server/index.js';
import { filesUnder, loadFixture, tempClient } from './test-support.js';

const dirs: string[] = [];
const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of closers) await c();
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
});

/** A TCP proxy that cuts a connection once it has relayed `cutAfter` response bytes, `drops` times. */
async function flakyProxy(target: string, cutAfter: number, drops: number): Promise<{ address: string; remaining: () => number }> {
  const [host, port] = target.split(':') as [string, string];
  let left = drops;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), host);
    sockets.add(client).add(upstream);
    let relayed = 0;
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      relayed += chunk.length;
      if (left > 0 && relayed > cutAfter) {
        left--;
        client.write(chunk.subarray(0, chunk.length - (relayed - cutAfter)));
        client.destroy();
        upstream.destroy();
        return;
      }
      client.write(chunk);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });
  return { address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`, remaining: () => left };
}

async function registryWithImage(log: string[]): Promise<{ reg: RunningRegistry; id: string }> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'berth-flaky-'));
  dirs.push(root);
  const reg = await serveRegistry({ listen: '127.0.0.1:0', root, onRequest: (l) => log.push(l) });
  closers.push(() => reg.close());
  const a = await tempClient(dirs);
  await loadFixture(a.svc, `${reg.address}/flaky:v1`);
  await a.pusher.push({ name: `${reg.address}/flaky`, tag: 'v1' }, {}, () => undefined);
  return { reg, id: (await a.svc.inspect(`${reg.address}/flaky:v1`)).Id };
}

test('a TCP proxy cutting connections mid-layer: the pull resumes with Range and lands intact', async () => {
  const log: string[] = [];
  const { reg, id } = await registryWithImage(log);
  const proxy = await flakyProxy(reg.address, 200_000, 3);
  const b = await tempClient(dirs);
  // the image is named by the proxy's address; the registry does not care about the Host
  await b.puller.pull({ image: `${proxy.address}/flaky`, tag: 'v1' }, {}, () => undefined);
  assert.equal(proxy.remaining(), 0, 'the proxy did cut connections');
  assert.equal((await b.svc.inspect(`${proxy.address}/flaky:v1`)).Id, id);
  assert.ok(log.some((l) => /GET .*\/blobs\/sha256:.* 206/.test(l)), `a ranged GET was served:\n${log.join('\n')}`);
  assert.deepEqual((await filesUnder(path.join(b.dir, 'content'))).filter((f) => f.includes('/ingest/')), []);
});

test('a proxy that always cuts: the pull fails after the retries and nothing half-written stays', async () => {
  const { reg } = await registryWithImage([]);
  const proxy = await flakyProxy(reg.address, 20_000, 1000);
  const b = await tempClient(dirs);
  await assert.rejects(b.puller.pull({ image: `${proxy.address}/flaky`, tag: 'v1' }, {}, () => undefined), /download failed after attempts=6/);
  assert.deepEqual((await filesUnder(path.join(b.dir, 'content'))).filter((f) => f.includes('/ingest/')), []);
  assert.deepEqual(await b.svc.list({}), []);
});
