import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Digest } from '../../shared/digest.js';
import { LayerFeeds, UNCLAIMED_FEED_LIMIT } from './layer-feeds.js';
import { WriteBehind } from './write-behind.js';

const A = `sha256:${'a'.repeat(64)}` as Digest;
const B = `sha256:${'b'.repeat(64)}` as Digest;

async function drain(s: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

test('LayerFeeds: a layer asked for before its download begins is fed live; verified follows the download', async () => {
  const f = new LayerFeeds([A]);
  const opened = f.open(A);
  const tap = f.begin(A)!;
  const feed = (await opened)!;
  const got = drain(feed.stream);
  await tap.write(Buffer.from('hello '));
  await tap.write(Buffer.from('world'));
  tap.end();
  assert.equal((await got).toString(), 'hello world');
  f.finish(A);
  await feed.verified;
});

test('LayerFeeds: bytes wait (bounded) for a late claim; a download failure rejects verified and open', async () => {
  const f = new LayerFeeds([A, B]);
  const tapA = f.begin(A)!;
  await tapA.write(Buffer.from('early'));
  tapA.end();
  const feed = (await f.open(A))!;
  assert.equal((await drain(feed.stream)).toString(), 'early');
  const tapB = f.begin(B)!;
  const err = new Error('connection reset');
  tapB.fail(err);
  f.finish(B, err);
  await assert.rejects(f.open(B), /connection reset/);
});

test('LayerFeeds: past the limit an unclaimed feed waits only when its layer is next; skip and abandon release it', async () => {
  const big = Buffer.alloc(UNCLAIMED_FEED_LIMIT + 1);
  const f = new LayerFeeds([A, B]);
  const tapA = f.begin(A)!;
  const tapB = f.begin(B)!;
  await tapB.write(big); // B is not next: dropped at once, never blocks
  let aDone = false;
  const pending = tapA.write(big).then(() => (aDone = true));
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(aDone, false, 'the next layer waits for the unpacker');
  f.skip(A); // its chain exists: nobody will read it
  await pending;
  f.finish(A);
  f.finish(B);
  assert.equal(await f.open(B), undefined, 'a dropped feed means: read the stored blob');

  const g = new LayerFeeds([A]);
  const tap = g.begin(A)!;
  const w = tap.write(big);
  g.abandon();
  await w;
});

test('WriteBehind: batches in order, one write at a time, and reports a failed write', async () => {
  const writes: string[] = [];
  let inFlight = 0;
  const target = {
    async write(c: Uint8Array): Promise<void> {
      inFlight++;
      assert.equal(inFlight, 1);
      await new Promise((r) => setTimeout(r, 2));
      writes.push(Buffer.from(c).toString());
      inFlight--;
    },
  };
  const out = new WriteBehind(target, 4);
  for (const s of ['ab', 'cd', 'ef', 'g']) await out.push(Buffer.from(s));
  await out.flush();
  assert.deepEqual(writes, ['abcd', 'efg']);
  const bad = new WriteBehind({ write: async () => Promise.reject(new Error('disk full')) }, 1);
  await bad.push(Buffer.from('x'));
  await assert.rejects(bad.flush(), /disk full/);
});
