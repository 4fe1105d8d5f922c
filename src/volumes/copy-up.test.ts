import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyUp } from './copy-up.js';
import { dirUsage } from './dir-usage.js';

const root = process.getuid?.() === 0;

test('copy-up: content, modes, owners, links kept; symlinks never followed; only into an empty volume', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-copyup-'));
  try {
    const src = join(dir, 'src');
    const data = join(dir, 'data');
    mkdirSync(join(src, 'sub', 'deep'), { recursive: true });
    mkdirSync(data);
    writeFileSync(join(src, 'a.txt'), 'hello\n');
    chmodSync(join(src, 'a.txt'), 0o640);
    writeFileSync(join(src, 'sub', 'deep', 'b'), Buffer.alloc(5000, 1));
    writeFileSync(join(src, '.wh.not-a-whiteout'), 'x');
    linkSync(join(src, 'a.txt'), join(src, 'sub', 'hard'));
    symlinkSync('/etc', join(src, 'abs-link'));
    symlinkSync('../../../../../../etc/passwd', join(src, 'sub', 'rel-link'));
    chmodSync(join(src, 'sub'), 0o2750);
    chmodSync(src, 0o1777);
    if (root) {
      chownSync(join(src, 'a.txt'), 1234, 5678);
      chownSync(src, 1000, 1000);
    }
    utimesSync(src, 1_000_000, 1_000_000);

    assert.equal(await copyUp(src, data), true);
    assert.equal(readFileSync(join(data, 'a.txt'), 'utf8'), 'hello\n');
    assert.equal(statSync(join(data, 'a.txt')).mode & 0o7777, 0o640);
    assert.equal(statSync(join(data, 'sub')).mode & 0o7777, 0o2750);
    assert.equal(readFileSync(join(data, '.wh.not-a-whiteout'), 'utf8'), 'x');
    assert.equal(statSync(join(data, 'sub', 'hard')).ino, statSync(join(data, 'a.txt')).ino);
    assert.equal(readlinkSync(join(data, 'abs-link')), '/etc');
    assert.ok(lstatSync(join(data, 'abs-link')).isSymbolicLink());
    assert.equal(readlinkSync(join(data, 'sub', 'rel-link')), '../../../../../../etc/passwd');
    const top = statSync(data);
    assert.equal(top.mode & 0o7777, 0o1777);
    assert.equal(Math.floor(top.mtimeMs / 1000), 1_000_000);
    if (root) {
      assert.deepEqual([statSync(join(data, 'a.txt')).uid, statSync(join(data, 'a.txt')).gid], [1234, 5678]);
      assert.deepEqual([top.uid, top.gid], [1000, 1000]);
    }
    // docker's directory.Size: files and symlinks, each inode once
    assert.equal(await dirUsage(data), 6 + 5000 + 1 + '/etc'.length + '../../../../../../etc/passwd'.length);

    writeFileSync(join(src, 'later'), 'y');
    assert.equal(await copyUp(src, data), false, 'a volume with content is never copied into');
    assert.throws(() => lstatSync(join(data, 'later')));
    assert.equal(await copyUp(join(src, 'a.txt'), join(dir, 'data')), false);
    assert.equal(await copyUp(join(src, 'missing'), join(dir, 'data')), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
