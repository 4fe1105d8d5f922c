import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Digest } from '../../shared/digest.js';
import { EngineError } from '../../shared/errors.js';
import { FakeRegistry } from './fake-registry.js';
import { encodeAuthHeader } from './auth-config.js';
import { filesUnder, publishFixture, sink, tempClient } from './test-support.js';

const dirs: string[] = [];
const regs: FakeRegistry[] = [];
after(async () => {
  for (const r of regs) await r.close();
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
});

async function fake(): Promise<FakeRegistry> {
  const r = await FakeRegistry.start();
  regs.push(r);
  return r;
}

test('pull by tag: progress stream, verified layers, RepoTags and RepoDigests as Docker', async () => {
  const reg = await fake();
  const fx = await publishFixture(reg, 'lib/bb', 'v1');
  const c = await tempClient(dirs);
  const s = sink();
  await c.puller.pull({ image: `${reg.address}/lib/bb`, tag: 'v1' }, {}, s.fn);
  const st = s.statuses();
  assert.equal(st[0], 'v1: Pulling from lib/bb');
  const id0 = fx.layers[0]!.digest.slice(7, 19);
  for (const want of ['Pulling fs layer', 'Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete']) assert.ok(st.includes(`${id0}: ${want}`), want);
  assert.ok(s.msgs.some((m) => m.status === 'Downloading' && m.progressDetail?.total === fx.layers[0]!.size && /^\[=+>?\s*\]/.test(m.progress ?? '')));
  assert.equal(st.at(-2), `Digest: ${fx.top.digest}`);
  assert.equal(st.at(-1), `Status: Downloaded newer image for ${reg.address}/lib/bb:v1`);
  const img = await c.svc.inspect(`${reg.address}/lib/bb:v1`);
  assert.equal(img.Id, fx.config.digest);
  assert.deepEqual(img.RepoTags, [`${reg.address}/lib/bb:v1`]);
  assert.deepEqual(img.RepoDigests, [`${reg.address}/lib/bb@${fx.top.digest}`]);
  const again = sink();
  await c.puller.pull({ image: `${reg.address}/lib/bb`, tag: 'v1' }, {}, again.fn);
  assert.equal(again.statuses().at(-1), `Status: Image is up to date for ${reg.address}/lib/bb:v1`);
  assert.equal(reg.blobGets(fx.layers[0]!.digest), 1, 'a present layer is not fetched again');
});

test('pull an index picks the host platform; pull by digest; unknown platform and tag fail as Docker', async () => {
  const reg = await fake();
  const fx = await publishFixture(reg, 'multi', 'm', true);
  const c = await tempClient(dirs);
  await c.puller.pull({ image: `${reg.address}/multi`, tag: fx.top.digest }, {}, () => undefined);
  const img = await c.svc.inspect(`${reg.address}/multi@${fx.top.digest}`);
  assert.equal(img.Id, fx.config.digest);
  assert.deepEqual(img.RepoTags, []);
  assert.deepEqual(img.RepoDigests, [`${reg.address}/multi@${fx.top.digest}`]);
  await assert.rejects(c.puller.pull({ image: `${reg.address}/multi`, tag: 'm', platform: 'linux/mips64' }, {}, () => undefined), /no matching manifest for linux\/mips64 in the manifest list entries/);
  await assert.rejects(c.puller.pull({ image: `${reg.address}/multi`, tag: 'nope' }, {}, () => undefined), {
    message: `manifest for ${reg.address}/multi:nope not found: manifest unknown: manifest unknown`,
  });
});

test('bearer token flow; credentials never follow a redirect to another host; bad credentials store nothing', async () => {
  const reg = await fake();
  reg.bearer = { user: 'u', pass: 'p', token: 'tok123' };
  reg.redirectBlobs = true;
  const fx = await publishFixture(reg, 'priv', 'v1');
  const bad = await tempClient(dirs);
  await assert.rejects(
    bad.puller.pull({ image: `${reg.address}/priv`, tag: 'v1' }, { authConfig: encodeAuthHeader({ username: 'u', password: 'wrong' }) }, () => undefined),
    /pull access denied for .*priv.*incorrect username or password/,
  );
  assert.deepEqual(await filesUnder(path.join(bad.dir, 'content')), []);
  const c = await tempClient(dirs);
  await c.puller.pull({ image: `${reg.address}/priv`, tag: 'v1' }, { authConfig: encodeAuthHeader({ username: 'u', password: 'p' }) }, () => undefined);
  assert.equal((await c.svc.inspect(`${reg.address}/priv:v1`)).Id, fx.config.digest);
  const tok = reg.seen.find((r) => r.server === 'token' && r.headers.authorization)!;
  assert.match(tok.url, /service=fake/);
  assert.match(decodeURIComponent(tok.url), /scope=repository:priv:pull/);
  const cdn = reg.seen.filter((r) => r.server === 'cdn');
  assert.ok(cdn.length >= 3, 'blobs came from the redirect target');
  for (const r of cdn) assert.equal(r.headers.authorization, undefined, 'no credentials sent to another host');
  assert.ok(reg.seen.some((r) => r.server === 'registry' && r.headers.authorization === 'Bearer tok123'));
});

test('a connection dropped mid-layer is resumed with Range and the pull succeeds', async () => {
  const reg = await fake();
  const fx = await publishFixture(reg, 'flaky', 'v1');
  reg.faults = { dropAfter: 4096, times: 2 };
  const c = await tempClient(dirs);
  await c.puller.pull({ image: `${reg.address}/flaky`, tag: 'v1' }, {}, () => undefined);
  assert.equal((await c.svc.inspect(`${reg.address}/flaky:v1`)).Id, fx.config.digest);
  const big = fx.layers[0]!.digest;
  const ranges = reg.seen.filter((r) => r.url.endsWith(big) && r.headers.range).map((r) => r.headers.range);
  assert.deepEqual(ranges, ['bytes=4096-', 'bytes=8192-']);
  assert.equal(await c.content.has(big as Digest), true);
});

test('a registry without Range support restarts the blob from zero', async () => {
  const reg = await fake();
  const fx = await publishFixture(reg, 'norange', 'v1');
  reg.faults = { dropAfter: 5000, times: 1, noRange: true };
  const c = await tempClient(dirs);
  await c.puller.pull({ image: `${reg.address}/norange`, tag: 'v1' }, {}, () => undefined);
  assert.equal((await c.svc.inspect(`${reg.address}/norange:v1`)).Id, fx.config.digest);
});

test('wrong digest, truncated blob, missing blob: clear error and nothing stored', async () => {
  const reg = await fake();
  const fx = await publishFixture(reg, 'bad', 'v1');
  const big = fx.layers[0]!;
  const check = async (want: RegExp): Promise<void> => {
    const c = await tempClient(dirs);
    const err = await c.puller.pull({ image: `${reg.address}/bad`, tag: 'v1' }, {}, () => undefined).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof EngineError, `expected an error matching ${want}`);
    assert.match(err.message, want);
    assert.equal(await c.content.has(big.digest as Digest), false);
    const left = (await filesUnder(path.join(c.dir, 'content'))).filter((f) => f.includes('/ingest/'));
    assert.deepEqual(left, [], 'no half-written ingest left');
    assert.deepEqual(await c.svc.list({}), []);
    // layers unpack while they download: nothing unpacked from the bad first layer may be committed
    assert.deepEqual(await c.snapshotter.list(), []);
  };
  const evil = Buffer.from(reg.blobs.get(big.digest)!);
  evil[evil.length - 40] ^= 0xff;
  reg.faults = { replace: new Map([[big.digest, evil]]) };
  await check(/filesystem layer verification failed for digest/);
  reg.faults = { dropAfter: 100, times: 1000 };
  await check(/download failed after attempts=6/);
  reg.faults = {};
  reg.blobs.delete(big.digest);
  await check(/blob unknown: blob unknown to registry/);
});

test('concurrent pulls of the same image share one download per layer', async () => {
  const reg = await fake();
  const fx = await publishFixture(reg, 'shared', 'v1');
  const c = await tempClient(dirs);
  await Promise.all([
    c.puller.pull({ image: `${reg.address}/shared`, tag: 'v1' }, {}, () => undefined),
    c.puller.pull({ image: `${reg.address}/shared`, tag: 'v1' }, {}, () => undefined),
  ]);
  for (const l of fx.layers) assert.equal(reg.blobGets(l.digest), 1);
});

test('the first layer unpacks from the live download (one read of the blob), and the chains match a stored pull', async () => {
  const reg = await fake();
  const fx = await publishFixture(reg, 'live', 'v1');
  const c = await tempClient(dirs);
  const reads: string[] = [];
  const orig = c.content.createReadStream.bind(c.content);
  c.content.createReadStream = ((d: Digest, r?: { start?: number; end?: number }) => {
    reads.push(d);
    return orig(d, r);
  }) as typeof c.content.createReadStream;
  await c.puller.pull({ image: `${reg.address}/live`, tag: 'v1' }, {}, () => undefined);
  assert.equal(reads.includes(fx.layers[0]!.digest), false, 'layer 0 was not read back from the store');
  const img = await c.svc.inspect(`${reg.address}/live:v1`);
  assert.equal(img.Id, fx.config.digest);
  const committed = (await c.snapshotter.list()).filter((x) => x.kind === 'committed');
  assert.equal(committed.length, fx.layers.length);
  assert.equal((await c.snapshotter.list()).filter((x) => x.kind !== 'committed').length, 0, 'no temp snapshot left');
});
