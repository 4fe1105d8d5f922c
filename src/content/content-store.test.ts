import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { sha256 } from '../shared/digest.js';
import { EngineError } from '../shared/errors.js';
import { ContentStore } from './content-store.js';

function withStore(fn: (s: ContentStore, root: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const root = mkdtempSync(join(tmpdir(), 'berth-content-'));
    try {
      await fn(new ContentStore(join(root, 'content')), join(root, 'content'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };
}

const ingestCount = (root: string) => readdirSync(join(root, 'ingest')).length;

test('streamed ingest is verified, committed and readable', withStore(async (s, root) => {
  const data = Buffer.alloc(3 * 1024 * 1024 + 17, 'x');
  const d = sha256(data);
  const w = await s.openWriter({ expected: d, size: data.length });
  await w.pipeFrom(Readable.from([data.subarray(0, 1000), data.subarray(1000)]));
  assert.equal(w.offset, data.length);
  assert.equal(await s.has(d), false, 'not visible before commit');
  assert.equal(await w.commit(), d);
  assert.deepEqual(await s.info(d), { digest: d, size: data.length });
  assert.ok((await s.readBuffer(d)).equals(data));
  const part: Buffer[] = [];
  for await (const c of s.createReadStream(d, { start: 10, end: 19 })) part.push(c as Buffer);
  assert.equal(Buffer.concat(part).length, 10);
  assert.equal(ingestCount(root), 0);
  assert.deepEqual((await s.list()).map((b) => b.digest), [d]);
}));

test('digest mismatch throws invalid-argument and leaves nothing', withStore(async (s, root) => {
  const w = await s.openWriter();
  await w.write(Buffer.from('hello'));
  const wrong = sha256('other');
  await assert.rejects(w.commit(wrong), (err: unknown) => {
    assert.ok(EngineError.is(err, 'invalid-argument'));
    assert.equal((err as Error).message, `digest mismatch: expected ${wrong}, got ${sha256('hello')}`);
    return true;
  });
  assert.equal(await s.has(sha256('hello')), false);
  assert.equal(ingestCount(root), 0);
}));

test('size mismatch and overflow are rejected', withStore(async (s) => {
  const w = await s.openWriter({ size: 3 });
  await assert.rejects(w.write(Buffer.from('four')), /size exceeds expected 3/);
  await w.write(Buffer.from('ab'));
  await assert.rejects(w.commit(), /unexpected commit size 2, expected 3/);
}));

test('abort drops the ingest; put and readJSON', withStore(async (s, root) => {
  const w = await s.openWriter();
  await w.write(Buffer.from('junk'));
  assert.equal(ingestCount(root), 1);
  await w.abort();
  await w.abort();
  assert.equal(ingestCount(root), 0);
  const d = await s.put(JSON.stringify({ a: 1 }));
  assert.deepEqual(await s.readJSON(d), { a: 1 });
  await assert.rejects(s.put('x', sha256('y')), /digest mismatch/);
  await assert.rejects(s.readBuffer(sha256('nope')), (e: unknown) => EngineError.is(e, 'not-found'));
  assert.throws(() => s.createReadStream(sha256('nope')), (e: unknown) => EngineError.is(e, 'not-found'));
  assert.equal(await s.delete(d), true);
  assert.equal(await s.delete(d), false);
}));

test('concurrent commits of the same content both succeed', withStore(async (s, root) => {
  const data = Buffer.from('same bytes'.repeat(1000));
  const ds = await Promise.all(
    Array.from({ length: 6 }, async () => {
      const w = await s.openWriter();
      await w.write(data);
      return w.commit(sha256(data), data.length);
    }),
  );
  assert.ok(ds.every((d) => d === sha256(data)));
  assert.ok((await s.readBuffer(sha256(data))).equals(data));
  assert.equal(ingestCount(root), 0);
}));

test('an ingest can be resumed by ref; a busy ref is refused; boot cleanup drops leftovers', withStore(async (s, root) => {
  const data = Buffer.from('0123456789abcdef');
  const w1 = await s.openWriter({ ref: 'layer-sha256:abc' });
  await assert.rejects(s.openWriter({ ref: 'layer-sha256:abc' }), (e: unknown) => EngineError.is(e, 'unavailable'));
  await w1.write(data.subarray(0, 6));
  // simulate the daemon forgetting the writer (e.g. connection dropped) without abort
  (s as unknown as { open: Set<string> }).open.clear();
  const w2 = await s.openWriter({ ref: 'layer-sha256:abc', expected: sha256(data) });
  assert.equal(w2.offset, 6);
  await w2.write(data.subarray(6));
  assert.equal(await w2.commit(), sha256(data));

  const w4 = await s.openWriter({ ref: 'registry/foo@sha256:1' });
  assert.deepEqual((await s.ingests()).map((i) => i.ref), ['registry/foo@sha256:1']);
  await w4.abort();
  const w3 = await s.openWriter({ ref: 'left-over' });
  await w3.write(Buffer.from('partial'));
  assert.deepEqual((await s.ingests()).map((i) => [i.ref, i.offset]), [['left-over', 7]]);
  assert.equal(await s.cleanupIngests(), 0, 'open ingests are kept');
  (s as unknown as { open: Set<string> }).open.clear();
  assert.equal(await s.cleanupIngests(), 1);
  assert.equal(existsSync(join(root, 'ingest', 'left-over')), false);
}));
