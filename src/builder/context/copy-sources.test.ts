import { test } from 'node:test';
import { sortWalkOrder, walkOrder } from './context-entry.js';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuildContext } from './build-context.js';
import { receiveContext } from './receive-context.js';
import { makeTar, type TarSpec } from './test-tars.js';

async function withContext(specs: TarSpec[], fn: (ctx: BuildContext) => Promise<void> | void): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), 'berth-copy-test-'));
  const ctx = await receiveContext([await makeTar([{ name: 'Dockerfile', content: 'FROM busybox\n' }, ...specs])], {
    workDir: base,
  });
  try {
    await fn(ctx);
  } finally {
    await ctx.dispose();
    await rm(base, { recursive: true, force: true });
  }
}

const TREE: TarSpec[] = [
  { name: 'a.js', content: 'a' },
  { name: 'b.js', content: 'b' },
  { name: 'c.txt', content: 'c' },
  { name: 'lib/c.js', content: 'c' },
  { name: 'lib/deep/d.js', content: 'd' },
  { name: 'docs/x.md', content: 'x' },
  { name: 'star*name', content: 's' },
  { name: 'in-link', type: 'symlink', linkname: 'lib/c.js' },
  { name: 'dir-link', type: 'symlink', linkname: '/lib' },
  { name: 'out-link', type: 'symlink', linkname: '/etc/passwd' },
  { name: 'up-link', type: 'symlink', linkname: '../../../../etc/hostname' },
];

const summary = (ctx: BuildContext, srcs: string[]): string[] =>
  ctx.copySources(srcs).map((s) => `${s.type} ${s.source}${s.path !== s.source ? ` -> ${s.path}` : ''}`);

test('wildcards follow Go filepath.Match on each context path', async () => {
  await withContext(TREE, (ctx) => {
    assert.deepEqual(summary(ctx, ['*.js']), ['file a.js', 'file b.js']);
    assert.deepEqual(summary(ctx, ['*/*.js']), ['file lib/c.js']);
    assert.deepEqual(summary(ctx, ['[ab].*']), ['file a.js', 'file b.js']);
    assert.deepEqual(summary(ctx, ['?.txt']), ['file c.txt']);
    assert.deepEqual(summary(ctx, ['l*']), ['dir lib']);
    assert.deepEqual(summary(ctx, ['lib/*']), ['file lib/c.js', 'dir lib/deep']);
    assert.deepEqual(summary(ctx, ['star*']), ['file star*name']);
    assert.throws(() => ctx.copySources(['star\\*name']), /stat star\\\*name: file does not exist/, 'an escaped * is no wildcard');
    assert.deepEqual(summary(ctx, ['./*.js', '/c.txt']), ['file a.js', 'file b.js', 'file c.txt']);
  });
});

test('plain sources: files, directories, the root; symlinks followed inside the context', async () => {
  await withContext(TREE, (ctx) => {
    assert.deepEqual(summary(ctx, ['lib', '.', '/', 'lib/../a.js']), ['dir lib', 'dir ', 'dir ', 'file a.js']);
    assert.deepEqual(summary(ctx, ['in-link']), ['file in-link -> lib/c.js']);
    assert.deepEqual(summary(ctx, ['dir-link/deep/d.js']), ['file dir-link/deep/d.js -> lib/deep/d.js']);
    assert.equal(ctx.resolve('dir-link'), 'lib');
  });
});

test("COPY errors use Docker's wording", async () => {
  await withContext(TREE, (ctx) => {
    const fails = (srcs: string[], message: string): void =>
      assert.throws(() => ctx.copySources(srcs), (err: Error) => err.message === message, srcs.join(' '));
    fails(['nope'], 'file not found in build context or excluded by .dockerignore: stat nope: file does not exist');
    fails(['../Dockerfile'], 'forbidden path outside the build context: ../Dockerfile ()');
    fails(['lib/../../x'], 'forbidden path outside the build context: lib/../../x ()');
    fails(['*.nope'], 'no source files were specified');
    // links that point out of the context resolve inside it, where nothing is
    fails(['out-link'], 'file not found in build context or excluded by .dockerignore: stat out-link: file does not exist');
    fails(['up-link'], 'file not found in build context or excluded by .dockerignore: stat up-link: file does not exist');
    assert.deepEqual(ctx.copySources([]), []);
  });
});

test('digests: content, mode and owner count, mtime does not; directories list their files', async () => {
  const at = (mtime: number, extra: Partial<TarSpec> = {}): TarSpec[] => [
    { name: 'src/a.js', content: 'one', mtime: new Date(mtime), ...extra },
    { name: 'src/b.js', content: 'two', mtime: new Date(mtime) },
  ];
  const digests = async (specs: TarSpec[]) => {
    let out: { digest: string; files: { path: string; digest: string }[] } | undefined;
    await withContext(specs, async (ctx) => {
      out = await ctx.sourceDigest('src');
    });
    return out!;
  };
  const base = await digests(at(1_600_000_000_000));
  assert.deepEqual(base.files.map((f) => f.path), ['src', 'src/a.js', 'src/b.js']);
  assert.match(base.digest, /^sha256:[0-9a-f]{64}$/);
  assert.equal((await digests(at(1_700_000_000_000))).digest, base.digest, 'mtime is not part of the digest');
  for (const change of [{ content: 'ONE' }, { mode: 0o600 }, { uid: 1 }, { gid: 1 }]) {
    const d = await digests(at(1_600_000_000_000, change));
    assert.notEqual(d.digest, base.digest, JSON.stringify(change));
    const changed = d.files.filter((f, i) => f.digest !== base.files[i]!.digest).map((f) => f.path);
    assert.deepEqual(changed, ['src/a.js'], JSON.stringify(change));
  }
});

test('sortWalkOrder sorts as walkOrder does (parents first, siblings by name, / before any character)', () => {
  const paths = ['a', 'a/b', 'a-c', 'a.d', 'a/b/c', 'a b', 'b', 'a/-', 'ab', 'a/b-c', 'a/b/c-d', 'A', '', 'é', 'z/a'];
  assert.deepEqual(sortWalkOrder(paths), [...paths].sort(walkOrder));
});
