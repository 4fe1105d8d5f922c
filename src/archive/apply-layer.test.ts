import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { mountAll, unmount } from '../mount/index.js';
import { sha256 } from '../shared/digest.js';
import { EngineError } from '../shared/errors.js';
import { lgetxattr } from '../shared/libc.js';
import { applyLayer } from './apply-layer.js';
import { encodeHeader, END_OF_ARCHIVE, padding } from './tar-encode.js';
import { buildTar, tarStreamOf, type FixtureEntry } from './tar-fixtures.js';

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'berth-archive-'));
}

test('applies files, dirs, symlinks, hardlinks, devices with owners, modes and times; diffID is sha256 of the tar', async () => {
  const root = tmp();
  try {
    const tar = await buildTar([
      { name: 'etc/', type: 'directory', mode: 0o755, mtime: new Date(1_500_000_000_000) },
      { name: 'etc/passwd', body: 'root:x:0:0\n', mode: 0o644 },
      { name: 'bin/', type: 'directory' },
      { name: 'bin/su', body: 'ELF', mode: 0o4755, uid: 0, gid: 0 },
      { name: 'bin/owned', body: 'x', mode: 0o640, uid: 1000, gid: 1001 },
      { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' },
      { name: 'bin/sh2', type: 'link', linkname: 'bin/su' },
      { name: 'tmp/', type: 'directory', mode: 0o1777 },
      { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
      { name: 'run/fifo', type: 'fifo', mode: 0o600 },
      { name: 'user/xattr', body: 'x', pax: { 'SCHILY.xattr.user.berth': 'hello' } },
      { name: '.wh..wh.plnk/', type: 'directory' },
      { name: '.wh..wh.plnk/1.2', body: 'aufs' },
    ]);
    const { diffId, size } = await applyLayer(tarStreamOf(tar), root);
    assert.equal(diffId, sha256(tar));
    assert.equal(size, tar.length);
    assert.equal(readFileSync(join(root, 'etc/passwd'), 'utf8'), 'root:x:0:0\n');
    assert.equal(statSync(join(root, 'bin/su')).mode & 0o7777, 0o4755);
    const owned = statSync(join(root, 'bin/owned'));
    assert.deepEqual([owned.uid, owned.gid, owned.mode & 0o777], [1000, 1001, 0o640]);
    assert.equal(readlinkSync(join(root, 'bin/sh')), '/bin/busybox');
    assert.equal(statSync(join(root, 'bin/sh2')).ino, statSync(join(root, 'bin/su')).ino);
    assert.equal(statSync(join(root, 'tmp')).mode & 0o7777, 0o1777);
    const dev = statSync(join(root, 'dev/null'));
    assert.ok(dev.isCharacterDevice());
    assert.equal(dev.rdev, (1 << 8) | 3);
    assert.ok(lstatSync(join(root, 'run/fifo')).isFIFO());
    assert.equal(lgetxattr(join(root, 'user/xattr'), 'user.berth')?.toString(), 'hello');
    assert.equal(statSync(join(root, 'etc')).mtimeMs, 1_500_000_000_000, 'dir mtime survives later writes inside it');
    assert.equal(statSync(join(root, 'etc/passwd')).mtimeMs, 1_600_000_000_000);
    assert.equal(existsSync(join(root, '.wh..wh.plnk')), false, 'aufs metadata is skipped');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('binary xattr values, long names and big files survive (berth writer -> berth reader)', async () => {
  const root = tmp();
  try {
    const cap = Buffer.from([0x01, 0x00, 0x00, 0x02, 0xff, 0xfe, 0x80, 0x00]);
    const longName = `${'d'.repeat(120)}/${'é'.repeat(80)}.txt`;
    const big = Buffer.alloc(3 * 1024 * 1024 + 5, 7);
    const head = (name: string, size: number, xattrs?: Map<string, Buffer>) =>
      encodeHeader({ name, type: 'file', mode: 0o644, uid: 0, gid: 0, size, mtime: 1_600_000_000, linkname: '', xattrs });
    const tar = Buffer.concat([
      head('bin/ping', 1, new Map([['user.cap', cap]])), Buffer.from('p'), padding(1),
      head(longName, 2), Buffer.from('hi'), padding(2),
      head('big.bin', big.length), big, padding(big.length),
      END_OF_ARCHIVE,
    ]);
    await applyLayer(tarStreamOf(tar), root);
    assert.ok(lgetxattr(join(root, 'bin/ping'), 'user.cap')?.equals(cap));
    assert.equal(readFileSync(join(root, longName), 'utf8'), 'hi');
    assert.ok(readFileSync(join(root, 'big.bin')).equals(big));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('path traversal is rejected and nothing is written outside the root', async () => {
  const base = tmp();
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(outside, 'passwd'), 'keep');
  const cases: Array<[string, Awaited<ReturnType<typeof buildTar>>, RegExp]> = [
    ['dotdot', await buildTar([{ name: '../outside/evil', body: 'x' }]), /is outside of/],
    ['nested dotdot', await buildTar([{ name: 'a/../../outside/evil', body: 'x' }]), /is outside of/],
    ['hardlink escape', await buildTar([{ name: 'hl', type: 'link', linkname: '../../outside/passwd' }]), /invalid hardlink/],
    ['symlink escape', await buildTar([{ name: 'a/sl', type: 'symlink', linkname: '../../outside' }]), /invalid symlink/],
    ['whiteout escape', await buildTar([{ name: 'a/.wh...', body: '' }]), /is outside of/],
  ];
  try {
    for (const [what, tar, re] of cases) {
      await assert.rejects(applyLayer(tarStreamOf(tar), root), (err: unknown) => {
        assert.ok(EngineError.is(err, 'invalid-argument'), `${what}: ${String(err)}`);
        assert.match((err as Error).message, re, what);
        return true;
      });
    }
    // absolute names land inside the root, as with docker
    await applyLayer(tarStreamOf(await buildTar([{ name: '/abs/file', body: 'in' }])), root);
    assert.equal(readFileSync(join(root, 'abs/file'), 'utf8'), 'in');
    // writing through a symlink is refused outright (stricter than docker, which resolves it inside the root)
    await assert.rejects(
      applyLayer(
        tarStreamOf(await buildTar([
          { name: 'link', type: 'symlink', linkname: outside },
          { name: 'link/file', body: 'escaped?' },
        ])),
        root,
      ),
      /goes through symlink "link"/,
    );
    assert.deepEqual(readdirSync(outside), ['passwd']);
    assert.equal(readFileSync(join(outside, 'passwd'), 'utf8'), 'keep');
    assert.equal(lstatSync(join(root, 'link')).isSymbolicLink(), true, 'the symlink itself was written before the refusal');
    // an existing symlink at the final component is replaced, not written through
    await applyLayer(tarStreamOf(await buildTar([{ name: 'link', body: 'now a file' }])), root);
    assert.equal(lstatSync(join(root, 'link')).isFile(), true);
    assert.equal(readFileSync(join(outside, 'passwd'), 'utf8'), 'keep');
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('two layers with whiteouts and an opaque dir, checked through a real overlay mount', async () => {
  const base = tmp();
  const [l1, l2, up, work, merged] = ['l1', 'l2', 'up', 'work', 'merged'].map((d) => join(base, d));
  for (const d of [l1, l2, up, work, merged]) mkdirSync(d);
  try {
    await applyLayer(tarStreamOf(await buildTar([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/keep', body: 'keep' },
      { name: 'etc/gone', body: 'gone' },
      { name: 'var/', type: 'directory' },
      { name: 'var/cache/', type: 'directory' },
      { name: 'var/cache/old1', body: '1' },
      { name: 'var/cache/old2', body: '2' },
      { name: 'dir-gone/', type: 'directory' },
      { name: 'dir-gone/x', body: 'x' },
    ])), l1);
    await applyLayer(tarStreamOf(await buildTar([
      { name: 'etc/', type: 'directory' },
      { name: 'etc/.wh.gone', body: '' },
      { name: 'var/cache/', type: 'directory' },
      { name: 'var/cache/.wh..wh..opq', body: '' },
      { name: 'var/cache/new', body: 'new' },
      { name: '.wh.dir-gone', body: '' },
    ])), l2);
    const wh = statSync(join(l2, 'etc/gone'));
    assert.ok(wh.isCharacterDevice() && wh.rdev === 0, 'whiteout is a 0/0 char device');
    assert.equal(lgetxattr(join(l2, 'var/cache'), 'trusted.overlay.opaque')?.toString(), 'y');
    mountAll([{ type: 'overlay', source: 'overlay', options: [`lowerdir=${l2}:${l1}`, `upperdir=${up}`, `workdir=${work}`] }], merged);
    try {
      assert.deepEqual(readdirSync(join(merged, 'etc')), ['keep']);
      assert.deepEqual(readdirSync(join(merged, 'var/cache')), ['new']);
      assert.equal(existsSync(join(merged, 'dir-gone')), false);
    } finally {
      unmount(merged);
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test("whiteoutFormat 'delete' removes whited-out paths and clears opaque dirs", async () => {
  const root = tmp();
  try {
    await applyLayer(tarStreamOf(await buildTar([
      { name: 'a/', type: 'directory' },
      { name: 'a/old', body: 'o' },
      { name: 'b/', type: 'directory' },
      { name: 'b/x', body: 'x' },
      { name: 'c', body: 'c' },
    ])), root, { whiteoutFormat: 'delete' });
    await applyLayer(tarStreamOf(await buildTar([
      { name: 'a/', type: 'directory' },
      { name: 'a/.wh..wh..opq', body: '' },
      { name: 'a/new', body: 'n' },
      { name: '.wh.b', body: '' },
      { name: '.wh.c', body: '' },
    ])), root, { whiteoutFormat: 'delete' });
    assert.deepEqual(readdirSync(root).sort(), ['a']);
    assert.deepEqual(readdirSync(join(root, 'a')), ['new']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a later entry replaces an earlier one; dir over dir keeps contents', async () => {
  const root = tmp();
  try {
    await applyLayer(tarStreamOf(await buildTar([
      { name: 'x', body: 'first' },
      { name: 'x', body: 'second' },
      { name: 'd/', type: 'directory' },
      { name: 'd/f', body: 'f' },
      { name: 'd/', type: 'directory', mode: 0o700 },
      { name: 'y/', type: 'directory' },
      { name: 'y', type: 'symlink', linkname: 'x' },
    ])), root);
    assert.equal(readFileSync(join(root, 'x'), 'utf8'), 'second');
    assert.equal(readFileSync(join(root, 'd/f'), 'utf8'), 'f');
    assert.equal(statSync(join(root, 'd')).mode & 0o777, 0o700);
    assert.equal(readlinkSync(join(root, 'y')), 'x');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a truncated or corrupt tar is rejected', async () => {
  const root = tmp();
  try {
    const tar = await buildTar([{ name: 'f', body: 'x'.repeat(5000) }]);
    await assert.rejects(applyLayer(tarStreamOf(tar.subarray(0, 2000)), root), /unexpected EOF/);
    await assert.rejects(applyLayer(tarStreamOf(Buffer.alloc(1024, 'z')), root), /invalid tar header/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

/** `buf` in `size`-byte chunks (what a download through zlib looks like). */
function chunked(buf: Buffer, size: number): Readable {
  return Readable.from((function* () {
    for (let off = 0; off < buf.length; off += size) yield buf.subarray(off, off + size);
  })());
}

test('layers bigger than the worker window, in small chunks, several at once and in a row, arrive intact (sync: true)', async () => {
  const base = tmp();
  try {
    const big = Buffer.alloc(40 << 20);
    for (let i = 0; i < big.length; i += 4) big.writeUInt32LE(i * 2654435761 >>> 0, i);
    const entries: FixtureEntry[] = [{ name: 'many/', type: 'directory' }];
    for (let i = 0; i < 3000; i++) entries.push({ name: `many/d${i % 30}/f${i}`, body: `file ${i}\n` });
    const tar = await buildTar([...entries, { name: 'big.bin', body: big }, { name: 'z', body: 'last' }]);
    const roots = ['a', 'b', 'c'].map((n) => join(base, n));
    for (const r of roots) mkdirSync(r);
    const results = await Promise.all(roots.slice(0, 2).map((r) => applyLayer(chunked(tar, 64 << 10), r, { sync: true })));
    results.push(await applyLayer(chunked(tar, 1 << 20), roots[2]!, { sync: true }));
    for (const [i, r] of roots.entries()) {
      assert.equal(results[i]!.diffId, sha256(tar));
      assert.equal(results[i]!.size, tar.length);
      assert.equal(readdirSync(join(r, 'many')).length, 30);
      assert.equal(readFileSync(join(r, 'many/d27/f2997'), 'utf8'), 'file 2997\n');
      assert.ok(readFileSync(join(r, 'big.bin')).equals(big), `big.bin in ${r}`);
      assert.equal(readFileSync(join(r, 'z'), 'utf8'), 'last');
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('a source that breaks midway fails the apply with its own error; nothing is written after; the next apply works', async () => {
  const base = tmp();
  try {
    const files = [];
    for (let i = 0; i < 4000; i++) files.push({ name: `f${i}`, body: Buffer.alloc(2000, i % 251) });
    const tar = await buildTar(files);
    const broken = Readable.from((function* () {
      for (let off = 0; off < tar.length / 2; off += 256 << 10) yield tar.subarray(off, off + (256 << 10));
      throw new Error('the feed broke');
    })());
    const root = join(base, 'r');
    mkdirSync(root);
    await assert.rejects(applyLayer(broken, root), /the feed broke/);
    const n = readdirSync(root).length;
    assert.ok(n > 0 && n < 4000, `partly written: ${n}`);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(readdirSync(root).length, n, 'the worker kept writing after the failure was reported');
    const again = join(base, 'again');
    mkdirSync(again);
    assert.equal((await applyLayer(chunked(tar, 1 << 20), again)).diffId, sha256(tar));
    assert.equal(readdirSync(again).length, 4000);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
