import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lchownSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { readTar } from '../archive/index.js';
import { sha256 } from '../shared/digest.js';
import { lsetxattr, mknod } from '../shared/libc.js';
import { upperLayer } from './commit.js';

async function entries(tar: Readable): Promise<{ raw: Buffer; rows: { name: string; type: string; mode: number; uid: number; linkname: string; size: number; xattrs: string[]; body: string }[] }> {
  const chunks: Buffer[] = [];
  for await (const c of tar) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  const rows = [];
  for await (const e of readTar(Readable.from([raw]))) {
    const parts: Buffer[] = [];
    for await (const c of e.body()) parts.push(c as Buffer);
    const h = e.header;
    rows.push({ name: h.name, type: h.type, mode: h.mode, uid: h.uid, linkname: h.linkname, size: h.size, xattrs: [...h.xattrs.keys()], body: Buffer.concat(parts).toString() });
  }
  return { raw, rows };
}

/** A fixture lower (the image) and upper (the container's changes) as overlayfs leaves them. */
function fixture(dir: string): { lower: string; upper: string } {
  const lower = join(dir, 'lower');
  const upper = join(dir, 'upper');
  for (const d of ['bin', 'etc', 'home/user', 'srv']) mkdirSync(join(lower, d), { recursive: true });
  writeFileSync(join(lower, 'bin/vi'), 'vi');
  writeFileSync(join(lower, 'etc/passwd'), 'root');
  writeFileSync(join(lower, 'home/user/old'), 'old');
  writeFileSync(join(lower, 'srv/kept'), 'k');
  for (const d of ['bin', 'etc', 'home', 'a/b', 'srv']) mkdirSync(join(upper, d), { recursive: true });
  mknod(join(upper, 'bin/vi'), 0o020000, 0); // rm /bin/vi
  writeFileSync(join(upper, 'etc/hosts'), ''); // runtime mount point: never in a layer
  writeFileSync(join(upper, 'etc/hostname'), '');
  lsetxattr(join(upper, 'home'), 'trusted.overlay.opaque', Buffer.from('y')); // rm -rf /home && mkdir /home
  writeFileSync(join(upper, 'home/f'), 'x\n');
  writeFileSync(join(upper, 'new'), 'hi\n', { mode: 0o640 });
  linkSync(join(upper, 'new'), join(upper, 'newlink'));
  symlinkSync('/new', join(upper, 'newsym'));
  lsetxattr(join(upper, 'new'), 'user.note', Buffer.from('v'));
  writeFileSync(join(upper, 'owned'), 'o');
  lchownSync(join(upper, 'owned'), 1000, 1000);
  chmodSync(join(upper, 'owned'), 0o4755);
  return { lower, upper };
}

test('upperLayer: Docker layer format from an overlay upper dir (whiteouts, opaque dirs, links, modes, owners, xattrs)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-commit-layer-'));
  try {
    const { lower, upper } = fixture(dir);
    const { raw, rows } = await entries(await upperLayer(upper, [lower]));
    assert.deepEqual(
      rows.map((r) => r.name),
      ['a/', 'a/b/', 'bin/', 'bin/.wh.vi', 'home/', 'home/.wh..wh..opq', 'home/f', 'new', 'newlink', 'newsym', 'owned'],
      'sorted, parents first; /etc (only mount points under it) and unchanged /srv left out',
    );
    const by = new Map(rows.map((r) => [r.name, r]));
    assert.deepEqual({ type: by.get('bin/.wh.vi')!.type, mode: by.get('bin/.wh.vi')!.mode, size: by.get('bin/.wh.vi')!.size }, { type: 'file', mode: 0o600, size: 0 });
    assert.equal(by.get('home/.wh..wh..opq')!.type, 'file');
    assert.equal(by.get('home/f')!.body, 'x\n');
    assert.deepEqual([by.get('new')!.type, by.get('new')!.mode, by.get('new')!.body], ['file', 0o640, 'hi\n']);
    assert.deepEqual(by.get('new')!.xattrs, ['user.note']);
    assert.ok(rows.every((r) => !r.xattrs.some((x) => x.startsWith('trusted.overlay.'))), 'overlay xattrs stay out');
    assert.deepEqual([by.get('newlink')!.type, by.get('newlink')!.linkname], ['link', 'new']);
    assert.deepEqual([by.get('newsym')!.type, by.get('newsym')!.linkname], ['symlink', '/new']);
    assert.deepEqual([by.get('owned')!.mode, by.get('owned')!.uid], [0o4755, 1000]);
    const again = await entries(await upperLayer(upper, [lower]));
    assert.equal(sha256(again.raw), sha256(raw), 'deterministic');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('upperLayer: an upper dir with only runtime mount points is an empty layer (Docker adds none)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-commit-empty-'));
  try {
    const lower = join(dir, 'lower');
    const upper = join(dir, 'upper');
    mkdirSync(join(lower, 'etc'), { recursive: true });
    for (const d of ['etc', 'dev', 'proc', 'sys']) mkdirSync(join(upper, d), { recursive: true });
    writeFileSync(join(upper, 'etc/resolv.conf'), '');
    writeFileSync(join(upper, '.dockerenv'), '');
    const { raw, rows } = await entries(await upperLayer(upper, [lower]));
    assert.deepEqual(rows, []);
    assert.equal(sha256(raw), 'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('upperLayer: mount stubs of a build step (secret, cache) and the parents they alone made stay out', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-commit-stubs-'));
  try {
    const lower = join(dir, 'lower');
    const upper = join(dir, 'upper');
    mkdirSync(join(lower, 'root'), { recursive: true });
    mkdirSync(join(upper, 'run/secrets'), { recursive: true });
    writeFileSync(join(upper, 'run/secrets/tok'), '');
    mkdirSync(join(upper, 'root/.cache'), { recursive: true });
    writeFileSync(join(upper, 'root/kept'), 'k');
    writeFileSync(join(upper, 'seen'), 's');
    const { rows } = await entries(await upperLayer(upper, [lower], ['/run/secrets/tok', '/root/.cache']));
    assert.deepEqual(rows.map((r) => r.name), ['root/', 'root/kept', 'seen']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
