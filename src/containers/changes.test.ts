import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lsetxattr, mknod } from '../shared/libc.js';
import { overlayChanges } from './changes.js';

test('overlayChanges: added, modified, whiteouts, opaque dirs, untouched copied-up dirs, init paths', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-changes-'));
  try {
    const lower = join(dir, 'lower');
    const upper = join(dir, 'upper');
    for (const d of ['bin', 'etc', 'var/lib', 'usr/share', 'opq/old']) mkdirSync(join(lower, d), { recursive: true });
    writeFileSync(join(lower, 'bin/vi'), 'vi');
    writeFileSync(join(lower, 'etc/group'), 'g');
    for (const d of ['bin', 'etc', 'new/sub', 'usr/share', 'opq', 'dev', 'proc']) mkdirSync(join(upper, d), { recursive: true });
    mknod(join(upper, 'bin/vi'), 0o020000 | 0o600, 0); // whiteout
    writeFileSync(join(upper, 'etc/group'), 'g2');
    writeFileSync(join(upper, 'etc/hosts'), ''); // runtime mount point
    writeFileSync(join(upper, 'new/sub/f'), 'f');
    writeFileSync(join(upper, 'opq/fresh'), 'x');
    lsetxattr(join(upper, 'opq'), 'trusted.overlay.opaque', Buffer.from('y'));
    const rows = await overlayChanges(upper, [lower]);
    assert.deepEqual(rows, [
      { Path: '/bin', Kind: 0 },
      { Path: '/bin/vi', Kind: 2 },
      { Path: '/etc', Kind: 0 },
      { Path: '/etc/group', Kind: 0 },
      { Path: '/new', Kind: 1 },
      { Path: '/new/sub', Kind: 1 },
      { Path: '/new/sub/f', Kind: 1 },
      { Path: '/opq', Kind: 2 },
      { Path: '/opq/fresh', Kind: 1 },
    ]);
    assert.deepEqual(await overlayChanges(join(dir, 'missing'), [lower]), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
