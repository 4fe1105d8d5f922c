import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { EngineError } from '../shared/errors.js';
import { encodeHeader, END_OF_ARCHIVE, padding } from './tar-encode.js';
import { buildTar } from './tar-fixtures.js';
import { TarPushParser } from './tar-push.js';
import { readTar } from './tar-reader.js';

interface Seen {
  name: string;
  type: string;
  linkname: string;
  mode: number;
  xattrs: string;
  body: string;
  ended: boolean;
}

const describe = (h: { name: string; type: string; linkname: string; mode: number; xattrs: Map<string, Buffer> }): Omit<Seen, 'body' | 'ended'> => ({
  name: h.name,
  type: h.type,
  linkname: h.linkname,
  mode: h.mode,
  xattrs: [...h.xattrs].map(([k, v]) => `${k}=${v.toString('hex')}`).join(','),
});

/** Every entry the push parser reports when `tar` comes in pieces of `step` bytes (copied, then overwritten). */
function pushAll(tar: Buffer, step: number): Seen[] {
  const seen: Seen[] = [];
  const p = new TarPushParser((h) => {
    const e: Seen = { ...describe(h), body: '', ended: false };
    seen.push(e);
    if (h.type !== 'file') return undefined;
    const parts: Buffer[] = [];
    return { write: (b) => parts.push(Buffer.from(b)), end: () => ((e.body = Buffer.concat(parts).toString('hex')), (e.ended = true)) };
  });
  const scratch = Buffer.alloc(step); // one reused buffer: the parser must keep nothing of it
  for (let off = 0; off < tar.length; off += step) {
    const n = tar.copy(scratch, 0, off, Math.min(off + step, tar.length));
    p.push(scratch.subarray(0, n));
    scratch.fill(0xaa);
  }
  p.end();
  return seen;
}

async function readAll(tar: Buffer): Promise<Seen[]> {
  const seen: Seen[] = [];
  for await (const e of readTar(Readable.from([tar]))) {
    const parts: Buffer[] = [];
    for await (const c of e.body()) parts.push(c);
    seen.push({ ...describe(e.header), body: e.header.type === 'file' ? Buffer.concat(parts).toString('hex') : '', ended: e.header.type === 'file' });
  }
  return seen;
}

async function sample(): Promise<Buffer> {
  const cap = Buffer.from([0x01, 0x00, 0x00, 0x02, 0xff, 0xfe, 0x80, 0x00]);
  const head = (name: string, size: number, xattrs?: Map<string, Buffer>) =>
    encodeHeader({ name, type: 'file', mode: 0o644, uid: 0, gid: 0, size, mtime: 1_600_000_000, linkname: '', xattrs });
  const body = Buffer.from(Array.from({ length: 1500 }, (_, i) => i % 251));
  const fixture = await buildTar([
    { name: 'etc/', type: 'directory' },
    { name: 'etc/empty', body: '' },
    { name: 'etc/hosts', body: 'x'.repeat(513) },
    { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' },
    { name: `${'d'.repeat(150)}/${'é'.repeat(80)}.txt`, body: 'long' },
    { name: 'user/xattr', body: 'x', pax: { 'SCHILY.xattr.user.berth': 'hello' } },
  ]);
  // tar-stream's archive without its end blocks, then berth's own entries (binary PAX values)
  let end = fixture.length;
  while (end >= 512 && fixture.subarray(end - 512, end).every((b) => b === 0)) end -= 512;
  return Buffer.concat([
    fixture.subarray(0, end),
    head('bin/ping', 1, new Map([['user.cap', cap]])), Buffer.from('p'), padding(1),
    head('data.bin', body.length), body, padding(body.length),
    END_OF_ARCHIVE,
  ]);
}

test('push parser: same entries and bodies as readTar, whatever the chunking (buffers reused between pushes)', async () => {
  const tar = await sample();
  const want = await readAll(tar);
  assert.equal(want.length, 8);
  for (const step of [1, 7, 511, 512, 513, 1000, 4096, tar.length]) {
    assert.deepEqual(pushAll(tar, step), want, `pieces of ${step}`);
  }
});

test('push parser: a truncated archive is an error, an archive without end blocks is not', async () => {
  const tar = await sample();
  const entries = (await readAll(tar)).length;
  // cut inside a header, inside a PAX record, inside a body, inside padding
  for (const cut of [100, 512 + 10, tar.length - 1024 - 600, tar.length - 1024 - 5]) {
    assert.throws(() => pushAll(tar.subarray(0, cut), 300), (err: unknown) => EngineError.is(err, 'invalid-argument') && /unexpected EOF/.test((err as Error).message), `cut at ${cut}`);
  }
  assert.equal(pushAll(tar.subarray(0, tar.length - 1024), 300).length, entries);
  // what follows the end blocks is ignored
  assert.equal(pushAll(Buffer.concat([tar, Buffer.from('trailing junk')]), 300).length, entries);
});

test('push parser: a corrupt header is invalid-argument', () => {
  const block = encodeHeader({ name: 'f', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 1, linkname: '' });
  block[148] ^= 0x01; // checksum digit
  const p = new TarPushParser(() => undefined);
  assert.throws(() => p.push(block), (err: unknown) => EngineError.is(err, 'invalid-argument'));
});
