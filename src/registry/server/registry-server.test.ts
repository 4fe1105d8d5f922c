import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
import bcrypt from 'bcryptjs';
import { sha256 } from '../../shared/digest.js';
import { serveRegistry, type RunningRegistry } from './serve.js';
import { garbageCollect } from './garbage-collect.js';

let dir: string;
let reg: RunningRegistry;
let base: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-reg-'));
  reg = await serveRegistry({ listen: '127.0.0.1:0', root: join(dir, 'root') });
  base = `http://${reg.address}`;
});
after(async () => {
  await reg.close();
  await rm(dir, { recursive: true, force: true });
});

const req = (path: string, init?: RequestInit) => fetch(base + path, init);

async function pushBlob(repo: string, data: Buffer): Promise<string> {
  const d = sha256(data);
  const r = await req(`/v2/${repo}/blobs/uploads/?digest=${d}`, { method: "POST", body: new Uint8Array(data) });
  assert.equal(r.status, 201);
  return d;
}

function manifestFor(config: string, configSize: number, layers: [string, number][]): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: configSize },
      layers: layers.map(([digest, size]) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest, size })),
    }),
  );
}

test('GET /v2/ answers with the API version header', async () => {
  const r = await req('/v2/');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('docker-distribution-api-version'), 'registry/2.0');
});

test('monolithic upload, HEAD and ranged GET', async () => {
  const data = Buffer.from('hello registry blob');
  const d = await pushBlob('a/b', data);
  const h = await req(`/v2/a/b/blobs/${d}`, { method: 'HEAD' });
  assert.equal(h.status, 200);
  assert.equal(h.headers.get('content-length'), String(data.length));
  const g = await req(`/v2/a/b/blobs/${d}`, { headers: { Range: 'bytes=6-13' } });
  assert.equal(g.status, 206);
  assert.equal(await g.text(), 'registry');
  assert.equal((await req(`/v2/other/blobs/${d}`, { method: 'HEAD' })).status, 404, 'blobs are linked per repository');
});

test('chunked upload with Content-Range, out-of-order chunk refused', async () => {
  const data = Buffer.alloc(300_000, 7);
  const start = await req('/v2/chunky/blobs/uploads/', { method: 'POST' });
  assert.equal(start.status, 202);
  let loc = start.headers.get('location')!;
  const p1 = await req(loc, { method: 'PATCH', body: data.subarray(0, 100_000), headers: { 'Content-Range': '0-99999' } });
  assert.equal(p1.status, 202);
  assert.equal(p1.headers.get('range'), '0-99999');
  loc = p1.headers.get('location')!;
  const bad = await req(loc, { method: 'PATCH', body: data.subarray(0, 10), headers: { 'Content-Range': '5-14' } });
  assert.equal(bad.status, 416);
  const st = await req(loc);
  assert.equal(st.status, 204);
  assert.equal(st.headers.get('range'), '0-99999');
  const p2 = await req(loc, { method: 'PATCH', body: data.subarray(100_000) });
  assert.equal(p2.status, 202);
  const fin = await req(`${loc}?digest=${sha256(data)}`, { method: 'PUT' });
  assert.equal(fin.status, 201);
  assert.equal(fin.headers.get('docker-content-digest'), sha256(data));
});

test('a wrong digest is refused and nothing is stored', async () => {
  const wrong = sha256('something else');
  const r = await req(`/v2/bad/blobs/uploads/?digest=${wrong}`, { method: 'POST', body: 'actual content' });
  assert.equal(r.status, 400);
  assert.equal(((await r.json()) as { errors: { code: string }[] }).errors[0].code, 'DIGEST_INVALID');
  assert.equal((await req(`/v2/bad/blobs/${sha256('actual content')}`, { method: 'HEAD' })).status, 404);
  assert.deepEqual(await readdir(join(dir, 'root/content/ingest')).catch(() => []), []);
});

test('cross-repository mount', async () => {
  const d = await pushBlob('src/repo', Buffer.from('mount me'));
  const r = await req(`/v2/dst/repo/blobs/uploads/?mount=${d}&from=src/repo`, { method: 'POST' });
  assert.equal(r.status, 201);
  assert.equal((await req(`/v2/dst/repo/blobs/${d}`, { method: 'HEAD' })).status, 200);
  const miss = await req(`/v2/dst/repo/blobs/uploads/?mount=${sha256('nope')}&from=src/repo`, { method: 'POST' });
  assert.equal(miss.status, 202, 'falls back to a new upload');
});

test('manifests by tag and digest, blob checks, tags pagination, catalog, referrers, delete and gc', async () => {
  const cfg = Buffer.from('{"architecture":"amd64","os":"linux"}');
  const layer = Buffer.from('layer-bytes');
  const cd = await pushBlob('app', cfg);
  const ld = await pushBlob('app', layer);
  const m = manifestFor(cd, cfg.length, [[ld, layer.length]]);
  const md = sha256(m);
  const ct = { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' };
  for (const tag of ['v3', 'v1', 'v2']) assert.equal((await req(`/v2/app/manifests/${tag}`, { method: 'PUT', body: new Uint8Array(m), headers: ct })).status, 201);
  const got = await req('/v2/app/manifests/v1', { headers: { Accept: ct['Content-Type'] } });
  assert.equal(got.headers.get('docker-content-digest'), md);
  assert.equal(got.headers.get('content-type'), ct['Content-Type']);
  assert.equal((await req(`/v2/app/manifests/${md}`)).status, 200);

  const missing = manifestFor(cd, cfg.length, [[sha256('absent'), 6]]);
  const mr = await req('/v2/app/manifests/broken', { method: 'PUT', body: new Uint8Array(missing), headers: ct });
  assert.equal(mr.status, 400);
  assert.equal(((await mr.json()) as { errors: { code: string }[] }).errors[0].code, 'MANIFEST_BLOB_UNKNOWN');
  const huge = await req('/v2/app/manifests/huge', { method: 'PUT', body: new Uint8Array(5 * 1024 * 1024).fill(32), headers: ct });
  assert.equal(huge.status, 413);

  const page = await req('/v2/app/tags/list?n=2');
  assert.deepEqual(((await page.json()) as { tags: string[] }).tags, ['v1', 'v2']);
  assert.match(page.headers.get('link') ?? '', /last=v2.*rel="next"/);
  const rest = await req('/v2/app/tags/list?n=2&last=v2');
  assert.deepEqual(((await rest.json()) as { tags: string[] }).tags, ['v3']);
  assert.ok(((await (await req('/v2/_catalog')).json()) as { repositories: string[] }).repositories.includes('app'));

  // A referrer (artifact) pointing at the image.
  const empty = await pushBlob('app', Buffer.from('{}'));
  const art = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.example.sbom',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: empty, size: 2 },
      layers: [],
      subject: { mediaType: ct['Content-Type'], digest: md, size: m.length },
    }),
  );
  const ar = await req(`/v2/app/manifests/${sha256(art)}`, { method: 'PUT', body: new Uint8Array(art), headers: ct });
  assert.equal(ar.status, 201);
  assert.equal(ar.headers.get('oci-subject'), md);
  const refs = (await (await req(`/v2/app/referrers/${md}?artifactType=application/vnd.example.sbom`)).json()) as { manifests: { digest: string }[] };
  assert.deepEqual(refs.manifests.map((x) => x.digest), [sha256(art)]);

  // Delete the image and the artifact, then gc drops the layer.
  assert.equal((await req(`/v2/app/manifests/${md}`, { method: 'DELETE' })).status, 202);
  assert.equal((await req(`/v2/app/manifests/${sha256(art)}`, { method: 'DELETE' })).status, 202);
  assert.equal((await req('/v2/app/manifests/v1')).status, 404);
  const gc = await garbageCollect(join(dir, 'root'), { dryRun: true });
  assert.ok(gc.deleted.includes(ld as never));
});

test('htpasswd basic auth: 401 with a challenge, then success', async () => {
  const hp = join(dir, 'htpasswd');
  await writeFile(hp, `alice:${bcrypt.hashSync('s3cret', 4).replace(/^\$2[ab]\$/, '$2y$')}\n`);
  const sec = await serveRegistry({ listen: '127.0.0.1:0', root: join(dir, 'sec'), htpasswd: hp });
  try {
    const r = await fetch(`http://${sec.address}/v2/`);
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate') ?? '', /^Basic realm=/);
    const bad = await fetch(`http://${sec.address}/v2/`, { headers: { Authorization: `Basic ${Buffer.from('alice:nope').toString('base64')}` } });
    assert.equal(bad.status, 401);
    const ok = await fetch(`http://${sec.address}/v2/`, { headers: { Authorization: `Basic ${Buffer.from('alice:s3cret').toString('base64')}` } });
    assert.equal(ok.status, 200);
  } finally {
    await sec.close();
  }
});

test('skopeo copies an OCI layout in and back out', async (t) => {
  try {
    execFileSync('skopeo', ['--version']);
  } catch {
    t.skip('skopeo not installed');
    return;
  }
  const oci = join(dir, 'oci');
  const layer = Buffer.from('not really a tar but skopeo does not care');
  const cfg = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
  const m = manifestFor(sha256(cfg), cfg.length, [[sha256(layer), layer.length]]);
  await mkdir(join(oci, 'blobs/sha256'), { recursive: true });
  for (const b of [layer, cfg, m]) await writeFile(join(oci, 'blobs/sha256', sha256(b).slice(7)), b);
  await writeFile(join(oci, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await writeFile(
    join(oci, 'index.json'),
    JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(m), size: m.length, annotations: { 'org.opencontainers.image.ref.name': 'latest' } }] }),
  );
  // Async: the registry runs in this process, so a blocking exec would deadlock it.
  await run('skopeo', ['copy', '--dest-tls-verify=false', `oci:${oci}:latest`, `docker://${reg.address}/skopeo/img:t1`], { timeout: 60_000 });
  await run('skopeo', ['copy', '--src-tls-verify=false', `docker://${reg.address}/skopeo/img:t1`, `oci:${join(dir, 'back')}:t1`], { timeout: 60_000 });
  const idx = JSON.parse(await readFile(join(dir, 'back/index.json'), 'utf8')) as { manifests: { digest: string }[] };
  // skopeo may rewrite (compress) on the way in; what comes back must be what the registry holds.
  const head = await req('/v2/skopeo/img/manifests/t1', { method: 'HEAD', headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(head.status, 200);
  assert.equal(idx.manifests[0].digest, head.headers.get('docker-content-digest'));
});

test('an upload cut off by a restart leaves no blob and no ingest behind', async () => {
  const root = join(dir, 'crash');
  const first = await serveRegistry({ listen: '127.0.0.1:0', root });
  const data = Buffer.alloc(50_000, 3);
  const start = await fetch(`http://${first.address}/v2/crash/blobs/uploads/`, { method: 'POST' });
  const loc = start.headers.get('location')!;
  const half = await fetch(`http://${first.address}${loc}`, { method: 'PATCH', body: new Uint8Array(data.subarray(0, 20_000)) });
  assert.equal(half.status, 202);
  await first.close(); // what is on disk now is what a crash would leave
  assert.equal((await readdir(join(root, 'content/ingest'))).length, 1, 'the half upload is on disk');
  const second = await serveRegistry({ listen: '127.0.0.1:0', root });
  try {
    assert.deepEqual(await readdir(join(root, 'content/ingest')), []);
    const st = await fetch(`http://${second.address}${loc}`);
    assert.equal(st.status, 404);
    assert.equal(((await st.json()) as { errors: { code: string }[] }).errors[0].code, 'BLOB_UPLOAD_UNKNOWN');
    assert.equal((await fetch(`http://${second.address}/v2/crash/blobs/${sha256(data)}`, { method: 'HEAD' })).status, 404);
  } finally {
    await second.close();
  }
});
