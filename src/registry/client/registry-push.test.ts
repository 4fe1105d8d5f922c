import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveRegistry, type RunningRegistry } from '../server/index.js';
import { encodeAuthHeader } from './auth-config.js';
import { checkLogin } from './registry-login.js';
import { searchImages } from './registry-search.js';
import { loadFixture, sink, tempClient } from './test-support.js';

const dirs: string[] = [];
const regs: RunningRegistry[] = [];
after(async () => {
  for (const r of regs) await r.close();
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
});

async function registry(htpasswd?: string): Promise<RunningRegistry> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'berth-reg-'));
  dirs.push(root);
  const r = await serveRegistry({ listen: '127.0.0.1:0', root, htpasswd });
  regs.push(r);
  return r;
}

test('push to berth registry serve, pull into a fresh store: same image, digests equal, re-push stable', async () => {
  const reg = await registry();
  const a = await tempClient(dirs);
  const name = `${reg.address}/team/bb`;
  await loadFixture(a.svc, `${name}:v1`);
  const s = sink();
  await a.pusher.push({ name, tag: 'v1' }, {}, s.fn);
  const st = s.statuses();
  assert.equal(st[0], `The push refers to repository [${name}]`);
  assert.ok(st.some((x) => x.endsWith(': Preparing')) && st.some((x) => x.endsWith(': Pushed')));
  assert.ok(s.msgs.some((m) => m.status === 'Pushing' && (m.progressDetail?.total ?? 0) > 0));
  const line = st.at(-1)!;
  const m = /^v1: digest: (sha256:[a-f0-9]{64}) size: (\d+)$/.exec(line);
  assert.ok(m, line);
  const aux = s.msgs.at(-1)!.aux as { Tag: string; Digest: string; Size: number };
  assert.deepEqual(aux, { Tag: 'v1', Digest: m[1], Size: Number(m[2]) });
  const local = await a.svc.inspect(`${name}:v1`);
  assert.deepEqual(local.RepoDigests, [`${name}@${m[1]}`]);

  const again = sink();
  await a.pusher.push({ name, tag: 'v1' }, {}, again.fn);
  assert.ok(again.statuses().filter((x) => x.endsWith(': Layer already exists')).length === 2);
  assert.equal(again.statuses().at(-1), line, 're-push gives the same manifest digest');

  const b = await tempClient(dirs);
  await b.puller.pull({ image: name, tag: 'v1' }, {}, () => undefined);
  const pulled = await b.svc.inspect(`${name}:v1`);
  assert.equal(pulled.Id, local.Id);
  assert.deepEqual(pulled.RepoDigests, [`${name}@${m[1]}`]);

  // push after pull reuses the pulled manifest; another repo on the same registry mounts the layers
  await b.svc.tag(`${name}:v1`, `${reg.address}/other/bb`, 'x');
  const mount = sink();
  await b.pusher.push({ name: `${reg.address}/other/bb`, tag: 'x' }, {}, mount.fn);
  assert.equal(mount.statuses().filter((x) => x.endsWith(': Mounted from team/bb')).length, 2, mount.statuses().join('\n'));
  assert.equal(mount.statuses().at(-1), `x: digest: ${m[1]} size: ${m[2]}`);
});

test('push without a tag pushes every tag of the repository; unknown tags fail as Docker', async () => {
  const reg = await registry();
  const a = await tempClient(dirs);
  const name = `${reg.address}/multi`;
  await loadFixture(a.svc, `${name}:one`);
  await a.svc.tag(`${name}:one`, name, 'two');
  const s = sink();
  await a.pusher.push({ name }, {}, s.fn);
  assert.deepEqual(s.statuses().filter((x) => /digest:/.test(x)).map((x) => x.split(':')[0]), ['one', 'two']);
  const b = await tempClient(dirs);
  const all = sink();
  await b.puller.pull({ image: name }, {}, all.fn);
  assert.equal(all.statuses().filter((x) => x.startsWith('Digest: ')).length, 2);
  assert.equal(all.statuses().at(-1), `Status: Downloaded newer image for ${name}`);
  assert.deepEqual((await b.svc.inspect(`${name}:one`)).RepoTags.sort(), [`${name}:one`, `${name}:two`]);
  await assert.rejects(a.pusher.push({ name, tag: 'nope' }, {}, () => undefined), { message: `tag does not exist: ${name}:nope` });
  await assert.rejects(a.pusher.push({ name: `${reg.address}/none`, tag: 'v1' }, {}, () => undefined), { message: `An image does not exist locally with the tag: ${reg.address}/none` });
  await assert.rejects(a.pusher.push({ name: `${reg.address}/none` }, {}, () => undefined), { message: `An image does not exist locally with the tag: ${reg.address}/none` });
});

test('htpasswd registry: login checks credentials; push/pull need them', async () => {
  const { default: bcrypt } = await import('bcryptjs');
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'berth-htpasswd-'));
  dirs.push(dir);
  const file = path.join(dir, 'htpasswd');
  writeFileSync(file, `alice:${bcrypt.hashSync('s3cret', 4)}\n`);
  const reg = await registry(file);
  assert.deepEqual(await checkLogin({ username: 'alice', password: 's3cret', serveraddress: reg.address }, []), { Status: 'Login Succeeded', IdentityToken: '' });
  await assert.rejects(checkLogin({ username: 'alice', password: 'nope', serveraddress: `http://${reg.address}` }, []), {
    message: `login attempt to http://${reg.address}/v2/ failed with status: 401 Unauthorized`,
  });
  const a = await tempClient(dirs);
  const name = `${reg.address}/sec`;
  await loadFixture(a.svc, `${name}:v1`);
  await assert.rejects(a.pusher.push({ name, tag: 'v1' }, {}, () => undefined), { message: 'no basic auth credentials' });
  const auth = encodeAuthHeader({ username: 'alice', password: 's3cret', serveraddress: reg.address });
  await a.pusher.push({ name, tag: 'v1' }, { authConfig: auth }, () => undefined);
  const b = await tempClient(dirs);
  await assert.rejects(b.puller.pull({ image: name, tag: "v1" }, {}, () => undefined), { message: `Head "http://${reg.address}/v2/sec/manifests/v1": no basic auth credentials` });
  await b.puller.pull({ image: name, tag: 'v1' }, { authConfig: auth }, () => undefined);
  assert.equal((await b.svc.inspect(`${name}:v1`)).Id, (await a.svc.inspect(`${name}:v1`)).Id);
});

test('search queries the registry named in the term; filters and limit apply', async () => {
  const reg = await registry();
  const a = await tempClient(dirs);
  await loadFixture(a.svc, `${reg.address}/busy/one:v1`);
  await a.svc.tag(`${reg.address}/busy/one:v1`, `${reg.address}/other`, 'v1');
  await a.pusher.push({ name: `${reg.address}/busy/one`, tag: 'v1' }, {}, () => undefined);
  await a.pusher.push({ name: `${reg.address}/other`, tag: 'v1' }, {}, () => undefined);
  const r = await searchImages({ term: `${reg.address}/busy` }, []);
  assert.deepEqual(r.map((x) => x.name), ['busy/one']);
  assert.deepEqual(await searchImages({ term: `${reg.address}/busy`, filters: new Map([['is-official', ['true']]]) }, []), []);
  await assert.rejects(searchImages({ term: `${reg.address}/busy`, filters: new Map([['bogus', ['1']]]) }, []), { message: "invalid filter 'bogus'" });
});

test('TLS registry on loopback: https is used (certificate not verified for insecure registries)', async () => {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'berth-tls-'));
  dirs.push(dir);
  const { execFileSync } = await import('node:child_process');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem')], { stdio: 'ignore' });
  const root = path.join(dir, 'root');
  const reg = await serveRegistry({ listen: '127.0.0.1:0', root, tlsCert: path.join(dir, 'c.pem'), tlsKey: path.join(dir, 'k.pem') });
  regs.push(reg);
  const { RegistrySession } = await import('./registry-session.js');
  assert.equal((await new RegistrySession({ domain: reg.address }).origin()).protocol, 'https:');
  const a = await tempClient(dirs);
  await loadFixture(a.svc, `${reg.address}/tls:v1`);
  await a.pusher.push({ name: `${reg.address}/tls`, tag: 'v1' }, {}, () => undefined);
  const b = await tempClient(dirs);
  await b.puller.pull({ image: `${reg.address}/tls`, tag: 'v1' }, {}, () => undefined);
  assert.equal((await b.svc.inspect(`${reg.address}/tls:v1`)).Id, (await a.svc.inspect(`${reg.address}/tls:v1`)).Id);
});

test('cold push gzips while uploading; the cached gzip is what the registry got, so a push elsewhere sends the same bytes', async () => {
  const reg1 = await registry();
  const reg2 = await registry();
  const a = await tempClient(dirs);
  await loadFixture(a.svc, 'bb:v1');
  await a.svc.tag('bb:v1', `${reg1.address}/bb`, 'v1');
  await a.svc.tag('bb:v1', `${reg2.address}/bb`, 'v1');
  const one = sink();
  await a.pusher.push({ name: `${reg1.address}/bb`, tag: 'v1' }, {}, one.fn);
  const rec = a.svc.index.all().find((r) => r.repoTags.includes(`${reg1.address}/bb:v1`))!;
  for (const l of rec.layers) {
    const blob = a.state.compressed(l.diffId);
    assert.ok(blob, 'the gzip made on push is remembered');
    assert.equal(await a.content.has(blob.digest), true, 'and stored');
    const res = await fetch(`http://${reg1.address}/v2/bb/blobs/${blob.digest}`);
    assert.equal(res.status, 200);
    assert.ok(Buffer.from(await res.arrayBuffer()).equals(await a.content.readBuffer(blob.digest)), 'registry holds the cached bytes');
  }
  const left = (await fsp.readdir(path.join(a.dir, 'content', 'ingest')).catch(() => [])).length;
  assert.equal(left, 0, 'no ingest left behind');
  const two = sink();
  await a.pusher.push({ name: `${reg2.address}/bb`, tag: 'v1' }, {}, two.fn);
  const digestOf = (s: ReturnType<typeof sink>): string => /digest: (sha256:\S+)/.exec(s.statuses().at(-1)!)![1]!;
  assert.equal(digestOf(two), digestOf(one));
});
