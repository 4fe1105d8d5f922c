import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, promises as fsp, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { httpRequest } from './http-request.js';
import { loadFixture, sink, tempClient } from './test-support.js';

const BIN = '/usr/bin/docker-registry';
const dirs: string[] = [];
let child: ChildProcess | undefined;
let address = '';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

before(async () => {
  if (!existsSync(BIN)) return;
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'berth-distribution-'));
  dirs.push(root);
  address = `127.0.0.1:${await freePort()}`;
  const cfg = path.join(root, 'config.yml');
  writeFileSync(cfg, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${root}/data\n  delete:\n    enabled: true\nhttp:\n  addr: ${address}\n`);
  child = spawn(BIN, ['serve', cfg], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const ok = await httpRequest(new URL(`http://${address}/v2/`)).then(
      (r) => (r.resume(), r.statusCode === 200),
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('docker-registry did not start');
});

after(async () => {
  if (child?.pid !== undefined && child.exitCode === null) {
    const gone = new Promise((r) => child!.once('exit', r));
    process.kill(child.pid, 'SIGTERM');
    await gone;
  }
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
});

test("Debian's docker-registry: push (chunked upload, mount) and pull round trip with equal digests", { skip: existsSync(BIN) ? false : `${BIN} not installed` }, async () => {
  const a = await tempClient(dirs);
  const name = `${address}/lib/bb`;
  await loadFixture(a.svc, `${name}:v1`);
  const s = sink();
  await a.pusher.push({ name, tag: 'v1' }, {}, s.fn);
  const line = s.statuses().at(-1)!;
  const digest = /digest: (sha256:[a-f0-9]{64})/.exec(line)![1]!;
  const b = await tempClient(dirs);
  const p = sink();
  await b.puller.pull({ image: name, tag: 'v1' }, {}, p.fn);
  assert.equal(p.statuses().at(-2), `Digest: ${digest}`);
  assert.equal((await b.svc.inspect(`${name}:v1`)).Id, (await a.svc.inspect(`${name}:v1`)).Id);
  await b.svc.tag(`${name}:v1`, `${address}/copy`, 'v1');
  const m = sink();
  await b.pusher.push({ name: `${address}/copy`, tag: 'v1' }, {}, m.fn);
  assert.equal(m.statuses().filter((x) => x.endsWith('Mounted from lib/bb')).length, 2, m.statuses().join('\n'));
  assert.equal(m.statuses().at(-1), line);
  await assert.rejects(b.puller.pull({ image: `${address}/lib/bb`, tag: 'missing' }, {}, () => undefined), {
    message: `manifest for ${address}/lib/bb:missing not found: manifest unknown: manifest unknown`,
  });
});
