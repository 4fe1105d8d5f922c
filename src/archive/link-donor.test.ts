import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { lsetxattr } from '../shared/libc.js';
import { applyLayer } from './apply-layer.js';
import { encodeHeader, END_OF_ARCHIVE, padding } from './tar-encode.js';

const MTIME = 1_700_000_000;

interface F { name: string; body: Buffer; mode?: number; mtime?: number }

function tar(files: F[]): Readable {
  const parts: Buffer[] = [];
  for (const f of files) {
    parts.push(encodeHeader({ name: f.name, type: 'file', mode: f.mode ?? 0o644, uid: 0, gid: 0, size: f.body.length, mtime: f.mtime ?? MTIME, linkname: '' }));
    parts.push(f.body, padding(f.body.length));
  }
  parts.push(END_OF_ARCHIVE);
  // small chunks: bodies span pushes, so comparison works across them
  const all = Buffer.concat(parts);
  const chunks: Buffer[] = [];
  for (let i = 0; i < all.length; i += 3000) chunks.push(all.subarray(i, i + 3000));
  return Readable.from(chunks);
}

/** A donor dir as an earlier apply of the same files would have left it. */
function donorWith(root: string, files: F[]): void {
  for (const f of files) {
    const p = join(root, f.name);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, f.body);
    chmodSync(p, f.mode ?? 0o644);
    utimesSync(p, f.mtime ?? MTIME, f.mtime ?? MTIME);
  }
}

function dirs(t: { after(fn: () => void): void }): { donor: string; out: string } {
  const base = mkdtempSync(join(tmpdir(), 'berth-donor-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const donor = join(base, 'donor');
  const out = join(base, 'out');
  mkdirSync(donor);
  mkdirSync(out);
  return { donor, out };
}

const ino = (p: string): number => statSync(p).ino;
const big = (seed: number, n = 150_000): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

test('identical files are hard-linked from the donor; changed ones written with the tar bytes', async (t) => {
  const { donor, out } = dirs(t);
  const same = { name: 'a/same', body: big(1) };
  const empty = { name: 'a/empty', body: Buffer.alloc(0) };
  donorWith(donor, [same, empty, { name: 'a/tail', body: big(2) }, { name: 'a/head', body: big(3) }, { name: 'a/longer', body: big(4, 1000) }]);
  const tail = { name: 'a/tail', body: Buffer.concat([big(2).subarray(0, 149_999), Buffer.from('X')]) };
  const head = { name: 'a/head', body: Buffer.concat([Buffer.from('X'), big(3).subarray(1)]) };
  const longer = { name: 'a/longer', body: big(4, 2000) };
  const fresh = { name: 'b/new', body: big(5) };
  const r = await applyLayer(tar([same, empty, tail, head, longer, fresh]), out, { whiteoutFormat: 'overlay', donor });
  assert.equal(ino(join(out, 'a/same')), ino(join(donor, 'a/same')));
  assert.equal(ino(join(out, 'a/empty')), ino(join(donor, 'a/empty')));
  for (const f of [tail, head, longer, fresh]) {
    assert.deepEqual(readFileSync(join(out, f.name)), f.body, f.name);
    assert.notEqual(ino(join(out, f.name)), statSync(join(donor, f.name), { throwIfNoEntry: false })?.ino);
    assert.equal(statSync(join(out, f.name)).mtimeMs, MTIME * 1000);
  }
  assert.deepEqual(readFileSync(join(donor, 'a/tail')), big(2), 'the donor is never written');
  assert.equal(r.contentSize, [same, empty, tail, head, longer, fresh].reduce((n, f) => n + f.body.length, 0));
});

test('no link when metadata differs, the donor file has xattrs, or the path goes through a donor symlink', async (t) => {
  const { donor, out } = dirs(t);
  const body = big(7, 5000);
  donorWith(donor, [{ name: 'm/mode', body, mode: 0o600 }, { name: 'm/time', body, mtime: MTIME + 1 }, { name: 'm/xattr', body }]);
  lsetxattr(join(donor, 'm/xattr'), 'user.x', Buffer.from('1'));
  // `link` in the donor is a symlink to a directory outside it holding an identical file
  const outside = join(donor, '..', 'outside');
  donorWith(outside, [{ name: 'f', body }]);
  symlinkSync(outside, join(donor, 'link'));
  const files = ['m/mode', 'm/time', 'm/xattr', 'link/f'].map((name) => ({ name, body }));
  await applyLayer(tar(files), out, { whiteoutFormat: 'overlay', donor });
  for (const f of files) {
    assert.equal(statSync(join(out, f.name)).nlink, 1, `${f.name} was linked`);
    assert.deepEqual(readFileSync(join(out, f.name)), body);
  }
  assert.equal(statSync(join(out, 'link')).isDirectory(), true);
});

test('one donor inode never becomes two paths of the new layer; no donor at all is a plain apply', async (t) => {
  const { donor, out } = dirs(t);
  const body = big(9, 4000);
  donorWith(donor, [{ name: 'x', body }]);
  linkSync(join(donor, 'x'), join(donor, 'y')); // the donor's x and y are one file
  await applyLayer(tar([{ name: 'x', body }, { name: 'y', body }]), out, { whiteoutFormat: 'overlay', donor });
  assert.equal(ino(join(out, 'x')), ino(join(donor, 'x')));
  assert.notEqual(ino(join(out, 'y')), ino(join(out, 'x')));
  assert.deepEqual(readFileSync(join(out, 'y')), body);
  const out2 = join(out, '..', 'out2');
  mkdirSync(out2);
  await applyLayer(tar([{ name: 'x', body }]), out2, { whiteoutFormat: 'overlay', donor: join(out, '..', 'missing') });
  assert.equal(statSync(join(out2, 'x')).nlink, 1);
  assert.deepEqual(readFileSync(join(out2, 'x')), body);
});
