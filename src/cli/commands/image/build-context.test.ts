import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTar } from '../../../archive/index.js';
import { contextTar } from './build-context.js';
import { parseSecrets } from './build.js';

async function names(tar: AsyncIterable<Buffer>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of readTar(tar)) {
    for await (const _ of e.body()) void _;
    out.push(`${e.header.name}${e.header.type === 'symlink' ? ` -> ${e.header.linkname}` : ''} ${e.header.uid}`);
  }
  return out;
}

test('contextTar: .dockerignore applied as the docker CLI does, owners root, symlinks kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cli-ctx-'));
  try {
    mkdirSync(join(dir, 'src/deep'), { recursive: true });
    mkdirSync(join(dir, 'node_modules/x'), { recursive: true });
    writeFileSync(join(dir, 'Dockerfile'), 'FROM busybox\n');
    writeFileSync(join(dir, '.dockerignore'), 'node_modules\n**/*.log\nDockerfile\n!src/deep/keep.log\n');
    writeFileSync(join(dir, 'src/a.js'), 'a');
    writeFileSync(join(dir, 'src/deep/keep.log'), 'k');
    writeFileSync(join(dir, 'src/deep/drop.log'), 'd');
    writeFileSync(join(dir, 'node_modules/x/i.js'), 'i');
    symlinkSync('/etc/passwd', join(dir, 'link'));
    const c = await contextTar(dir, 'Dockerfile');
    assert.deepEqual(await names(c.tar), ['.dockerignore 0', 'Dockerfile 0', 'link -> /etc/passwd 0', 'src/ 0', 'src/a.js 0', 'src/deep/ 0', 'src/deep/keep.log 0']);
    assert.ok(c.size() > 0);
    const stdin = await contextTar(dir, 'Dockerfile', Buffer.from('FROM busybox\n'));
    assert.match(stdin.dockerfile, /^__dockerfile-[0-9a-f]{16}$/);
    assert.ok((await names(stdin.tar)).includes(`${stdin.dockerfile} 0`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('parseSecrets: id and src (absolute), bad specs refused', () => {
  assert.deepEqual(parseSecrets(['id=tok,src=/tmp/t']), { tok: '/tmp/t' });
  assert.throws(() => parseSecrets(['src=/tmp/t']), /expected id=ID,src=FILE/);
});
