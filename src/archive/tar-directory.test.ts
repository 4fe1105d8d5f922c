import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tarStream from 'tar-stream';
import { sha256 } from '../shared/digest.js';
import { lgetxattr, lsetxattr, makedev, mknod } from '../shared/libc.js';
import { applyLayer } from './apply-layer.js';
import { decompress } from './decompress.js';
import { diffDirectory, tarDirectory } from './tar-directory.js';
import { buildTar, tarStreamOf } from './tar-fixtures.js';
import { readTar } from './tar-reader.js';

async function collect(r: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of r) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

/** Entry names as tar-stream (an independent reader) sees them. */
async function namesOf(tar: Buffer): Promise<string[]> {
  const ex = tarStream.extract();
  const names: string[] = [];
  const done = (async () => {
    for await (const e of ex) {
      names.push(e.header.name);
      e.resume();
    }
  })();
  Readable.from([tar]).pipe(ex);
  await done;
  return names;
}

test('tarDirectory round-trips a tree: sorted, hardlinks, symlinks, xattrs, big files, devices', async () => {
  const base = mkdtempSync(join(tmpdir(), 'berth-tardir-'));
  const src = join(base, 'src');
  const dst = join(base, 'dst');
  try {
    mkdirSync(join(src, 'b/sub'), { recursive: true });
    mkdirSync(dst);
    writeFileSync(join(src, 'b/sub/file'), 'hello');
    writeFileSync(join(src, 'a'), 'a');
    linkSync(join(src, 'a'), join(src, 'b/a-link'));
    symlinkSync('../a', join(src, 'b/sym'));
    const big = Buffer.alloc(200_000, 3);
    writeFileSync(join(src, 'big'), big, { mode: 0o600 });
    lsetxattr(join(src, 'a'), 'user.k', Buffer.from([0, 255, 1]));
    mknod(join(src, 'null'), 0o020666, makedev(1, 3));
    const tar = await collect(tarDirectory(src));
    assert.deepEqual(await namesOf(tar), ['a', 'b/', 'b/a-link', 'b/sub/', 'b/sub/file', 'b/sym', 'big', 'null']);
    assert.equal(sha256(await collect(tarDirectory(src))), sha256(tar), 'deterministic');
    await applyLayer(tarStreamOf(tar), dst);
    assert.equal(readFileSync(join(dst, 'b/sub/file'), 'utf8'), 'hello');
    assert.equal(statSync(join(dst, 'b/a-link')).ino, statSync(join(dst, 'a')).ino);
    assert.equal(readlinkSync(join(dst, 'b/sym')), '../a');
    assert.ok(readFileSync(join(dst, 'big')).equals(big));
    assert.equal(statSync(join(dst, 'big')).mode & 0o777, 0o600);
    assert.ok(lgetxattr(join(dst, 'a'), 'user.k')?.equals(Buffer.from([0, 255, 1])));
    assert.equal(statSync(join(dst, 'null')).rdev, makedev(1, 3));
    assert.equal(statSync(join(dst, 'b/sub')).mtimeMs, Math.floor(statSync(join(src, 'b/sub')).mtimeMs / 1000) * 1000);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('diffDirectory turns overlay whiteouts and opaque dirs back into .wh. entries', async () => {
  const base = mkdtempSync(join(tmpdir(), 'berth-diff-'));
  const upper = join(base, 'upper');
  const out = join(base, 'out');
  try {
    mkdirSync(join(upper, 'etc'), { recursive: true });
    mkdirSync(join(upper, 'cache'));
    mkdirSync(out);
    writeFileSync(join(upper, 'etc/new'), 'n');
    mknod(join(upper, 'etc/removed'), 0o020000, 0);
    lsetxattr(join(upper, 'cache'), 'trusted.overlay.opaque', Buffer.from('y'));
    const tar = await collect(diffDirectory(upper));
    assert.deepEqual(await namesOf(tar), ['cache/', 'cache/.wh..wh..opq', 'etc/', 'etc/new', 'etc/.wh.removed']);
    const seen: Array<[string, string[]]> = [];
    for await (const e of readTar(Readable.from([tar]))) seen.push([e.header.name, [...e.header.xattrs.keys()]]);
    assert.ok(seen.every(([, x]) => !x.some((k) => k.startsWith('trusted.overlay.'))), 'overlay xattrs are not exported');
    await applyLayer(tarStreamOf(tar), out);
    assert.ok(statSync(join(out, 'etc/removed')).isCharacterDevice());
    assert.equal(lgetxattr(join(out, 'cache'), 'trusted.overlay.opaque')?.toString(), 'y');
    assert.deepEqual(readdirSync(join(out, 'etc')).sort(), ['new', 'removed']);
    assert.equal(lstatSync(join(out, 'etc/removed')).rdev, 0);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('decompress sniffs gzip and plain, rejects unknown compressions clearly', async () => {
  const tar = await buildTar([{ name: 'f', body: 'data' }]);
  const fromGz = await collect(await decompress(Readable.from([gzipSync(tar)])));
  assert.ok(fromGz.equals(tar));
  const plain = await collect(await decompress(Readable.from([tar.subarray(0, 3), tar.subarray(3)])));
  assert.ok(plain.equals(tar));
  assert.equal((await collect(await decompress(Readable.from([Buffer.from('ab')])))).toString(), 'ab');
  assert.equal((await collect(await decompress(Readable.from([])))).length, 0);
  await assert.rejects(decompress(Readable.from([Buffer.from('BZh91AY&SY')])), /unsupported compression format bzip2/);
  const zstd = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]);
  await assert.rejects(decompress(Readable.from([zstd])), /zstd/);
  await assert.rejects(collect(await decompress(Readable.from([Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7])]))));
});
