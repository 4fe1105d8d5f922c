import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { encodeHeader } from '../archive/index.js';
import { ContainerRoot, cleanContainerPath } from './archive-root.js';
import { extractInto } from './archive-put.js';
import { tarPath } from '../archive/index.js';
import { goFileMode, rfc3339Nano } from './archive-stat.js';
import { readTar } from '../archive/index.js';

function fixture(): { dir: string; root: string; bind: string } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-archive-root-'));
  const root = join(dir, 'rootfs');
  const bind = join(dir, 'bind');
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'mnt/b'), { recursive: true });
  mkdirSync(bind);
  writeFileSync(join(root, 'etc/passwd'), 'container\n');
  symlinkSync('/etc', join(root, 'x'));
  symlinkSync('../../../../../../etc', join(root, 'up'));
  symlinkSync('/', join(bind, 'escape'));
  return { dir, root, bind };
}

test('resolve follows symlinks inside the container, never out of it', async () => {
  const f = fixture();
  try {
    const r = new ContainerRoot(f.root, [{ dest: '/mnt/b', source: f.bind }]);
    assert.deepEqual(await r.resolve('/x/passwd', false), { host: join(f.root, 'etc/passwd'), container: '/etc/passwd' });
    assert.deepEqual(await r.resolve('/up/passwd', true), { host: join(f.root, 'etc/passwd'), container: '/etc/passwd' });
    assert.deepEqual(await r.resolve('/x', false), { host: join(f.root, 'x'), container: '/x' });
    assert.deepEqual(await r.resolve('/x', true), { host: join(f.root, 'etc'), container: '/etc' });
    assert.equal((await r.resolve('/../../..', true)).host, f.root);
    // a bind's contents are the bind source; a symlink in it to / is the container's /
    assert.equal((await r.resolve('/mnt/b/new.txt', false)).host, join(f.bind, 'new.txt'));
    assert.equal((await r.resolve('/mnt/b/escape/etc/passwd', true)).host, join(f.root, 'etc/passwd'));
  } finally {
    rmSync(f.dir, { recursive: true, force: true });
  }
});

test('cleanContainerPath keeps "/." and trailing-slash semantics', () => {
  assert.deepEqual(cleanContainerPath('/d/.'), { clean: '/d', followLast: true, base: '.' });
  assert.deepEqual(cleanContainerPath('/d/'), { clean: '/d', followLast: true, base: 'd' });
  assert.deepEqual(cleanContainerPath('d'), { clean: '/d', followLast: false, base: 'd' });
  assert.deepEqual(cleanContainerPath('/a/../b'), { clean: '/b', followLast: false, base: 'b' });
});

test('Go FileMode and RFC3339Nano as Docker encodes them', () => {
  assert.equal(goFileMode(0o040755), 2147484141);
  assert.equal(goFileMode(0o120777), 134218239);
  assert.equal(goFileMode(0o100644), 420);
  assert.equal(goFileMode(0o104755), 0o755 + 2 ** 23);
  assert.equal(rfc3339Nano(1_795_000_000_123_456_700n), '2026-11-18T11:06:40.1234567Z');
  assert.equal(rfc3339Nano(1_795_000_000_000_000_000n), '2026-11-18T11:06:40Z');
});

function tarOf(entries: { name: string; type: 'file' | 'directory' | 'symlink'; body?: string; linkname?: string }[]): Readable {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    parts.push(encodeHeader({ name: e.name, type: e.type, mode: e.type === 'directory' ? 0o755 : 0o644, uid: 0, gid: 0, size: body.length, mtime: 1_700_000_000, linkname: e.linkname ?? '' }));
    if (body.length) parts.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Readable.from([Buffer.concat(parts)]);
}

test('extractInto writes through container symlinks but refuses escapes', async () => {
  const f = fixture();
  try {
    const r = new ContainerRoot(f.root, [{ dest: '/mnt/b', source: f.bind }]);
    await extractInto(r, '/', tarOf([{ name: 'x/new.conf', type: 'file', body: 'new\n' }, { name: 'mnt/b/in-bind', type: 'file', body: 'b\n' }]), { noOverwriteDirNonDir: true });
    assert.equal(readFileSync(join(f.root, 'etc/new.conf'), 'utf8'), 'new\n');
    assert.equal(readFileSync(join(f.bind, 'in-bind'), 'utf8'), 'b\n');
    await assert.rejects(extractInto(r, '/etc', tarOf([{ name: '../../../evil', type: 'file', body: 'x' }]), { noOverwriteDirNonDir: true }), /"..\/..\/..\/evil" is outside of "\/etc"/);
    assert.ok(!existsSync(join(f.dir, 'evil')));
    await assert.rejects(extractInto(r, '/', tarOf([{ name: 'etc', type: 'file', body: 'x' }]), { noOverwriteDirNonDir: true }), /cannot overwrite directory "\/etc" with non-directory "\/"/);
    // a symlink entry followed by a file through it stays inside the container
    await extractInto(r, '/', tarOf([{ name: 'hop', type: 'symlink', linkname: '/../../../../tmp' }, { name: 'hop/through', type: 'file', body: 't' }]), { noOverwriteDirNonDir: true });
    assert.equal(readFileSync(join(f.root, 'tmp/through'), 'utf8'), 't');
  } finally {
    rmSync(f.dir, { recursive: true, force: true });
  }
});

test('tarPath rebases a directory under the requested name', async () => {
  const f = fixture();
  try {
    const names: string[] = [];
    for await (const e of readTar(Readable.from(tarPath(join(f.root, 'etc'), 'renamed')))) {
      names.push(e.header.name);
      for await (const _ of e.body()) void _;
    }
    assert.deepEqual(names, ['renamed/', 'renamed/passwd']);
  } finally {
    rmSync(f.dir, { recursive: true, force: true });
  }
});
