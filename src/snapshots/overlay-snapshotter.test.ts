import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyLayer } from '../archive/apply-layer.js';
import { buildTar, tarStreamOf } from '../archive/tar-fixtures.js';
import { mountAll, unmount } from '../mount/index.js';
import { EngineError } from '../shared/errors.js';
import { OverlaySnapshotter } from './overlay-snapshotter.js';

function withRoot(fn: (root: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const base = mkdtempSync(join(tmpdir(), 'berth-snap-'));
    try {
      await fn(base);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  };
}

const isKind = (kind: string) => (err: unknown) => EngineError.is(err) && err.kind === kind;

test('prepare/commit/view/remove lifecycle, conflicts and persistence', withRoot(async (base) => {
  const root = join(base, 'overlay');
  const sn = new OverlaySnapshotter(root);
  const m0 = await sn.prepare('sha256:tmp-a', null);
  assert.deepEqual(m0, [{ type: 'bind', source: sn.upperDir('sha256:tmp-a'), options: ['rw', 'rbind'] }]);
  await assert.rejects(sn.prepare('sha256:tmp-a', null), isKind('conflict'));
  await assert.rejects(sn.prepare('x', 'sha256:tmp-a'), isKind('invalid-argument'), 'parent must be committed');
  await assert.rejects(sn.prepare('x', 'nope'), isKind('not-found'));
  await sn.commit('sha256:chain-a', 'sha256:tmp-a');
  assert.equal(await sn.stat('sha256:tmp-a'), undefined);
  assert.equal((await sn.stat('sha256:chain-a'))?.kind, 'committed');
  await assert.rejects(sn.commit('y', 'sha256:chain-a'), isKind('invalid-argument'), 'commit only from active');

  const ctr = 'c'.repeat(64);
  const m1 = await sn.prepare(ctr, 'sha256:chain-a');
  assert.equal(m1[0].type, 'overlay');
  assert.deepEqual(m1[0].options, [
    `lowerdir=${(await sn.graphData('sha256:chain-a')).UpperDir}`,
    `upperdir=${sn.upperDir(ctr)}`,
    `workdir=${(await sn.graphData(ctr)).WorkDir}`,
  ]);
  assert.deepEqual(await sn.mounts(ctr), m1);
  await assert.rejects(sn.commit('sha256:chain-a', ctr), isKind('conflict'));
  const v = await sn.view('v', 'sha256:chain-a');
  assert.deepEqual(v, [{ type: 'bind', source: sn.upperDir('sha256:chain-a'), options: ['ro', 'rbind'] }]);
  await assert.rejects(sn.remove('sha256:chain-a'), isKind('conflict'));
  await assert.rejects(sn.remove('missing'), isKind('not-found'));
  assert.throws(() => sn.upperDir('missing'), isKind('not-found'));

  const again = new OverlaySnapshotter(root);
  assert.deepEqual((await again.list()).map((s) => [s.key, s.kind, s.parent]).sort(), [
    [ctr, 'active', 'sha256:chain-a'],
    ['sha256:chain-a', 'committed', null],
    ['v', 'view', 'sha256:chain-a'],
  ].sort());
  const meta = JSON.parse(readFileSync(join(root, 'metadata.json'), 'utf8'));
  assert.equal(meta.schemaVersion, 1);
  const ctrDir = join(sn.upperDir(ctr), '..');
  await again.remove(ctr);
  await again.remove('v');
  await again.idle();
  assert.equal(existsSync(ctrDir), false);
  await again.remove('sha256:chain-a');
  assert.deepEqual(await again.list(), []);
  await again.idle();
  assert.deepEqual(readdirSync(join(root, 'snapshots')), []);
}));

test('orphan snapshot dirs from a crash are swept on open', withRoot(async (base) => {
  const root = join(base, 'overlay');
  const sn = new OverlaySnapshotter(root);
  await sn.prepare('a', null);
  const orphan = join(root, 'snapshots', '999');
  mkdirSync(join(orphan, 'fs'), { recursive: true });
  writeFileSync(join(root, 'snapshots', 'junk'), '');
  new OverlaySnapshotter(root);
  assert.deepEqual(readdirSync(join(root, 'snapshots')), ['1']);
}));

test('image unpack flow: prepare -> applyLayer(upperDir) -> commit, 3 layers, container mount sees whiteouts', withRoot(async (base) => {
  const sn = new OverlaySnapshotter(join(base, 'overlay'));
  const layers = [
    await buildTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/a', body: 'a1' }, { name: 'etc/b', body: 'b' }, { name: 'opt/', type: 'directory' }, { name: 'opt/x', body: 'x' }]),
    await buildTar([{ name: 'etc/', type: 'directory' }, { name: 'etc/a', body: 'a2' }, { name: 'etc/.wh.b', body: '' }]),
    await buildTar([{ name: 'opt/', type: 'directory' }, { name: 'opt/.wh..wh..opq', body: '' }, { name: 'opt/y', body: 'y' }]),
  ];
  let parent: string | null = null;
  for (const [i, tar] of layers.entries()) {
    const tmpKey = `extract-${i} sha256:whatever`;
    await sn.prepare(tmpKey, parent);
    await applyLayer(tarStreamOf(tar), sn.upperDir(tmpKey));
    await sn.commit(`sha256:chain${i}`, tmpKey);
    parent = `sha256:chain${i}`;
  }
  const mounts = await sn.prepare('ctr', parent);
  const merged = join(base, 'merged');
  mountAll(mounts, merged);
  try {
    assert.deepEqual(readdirSync(join(merged, 'etc')), ['a']);
    assert.equal(readFileSync(join(merged, 'etc/a'), 'utf8'), 'a2');
    assert.deepEqual(readdirSync(join(merged, 'opt')), ['y']);
    writeFileSync(join(merged, 'etc/written'), 'w');
  } finally {
    unmount(merged);
  }
  assert.equal(readFileSync(join(sn.upperDir('ctr'), 'etc/written'), 'utf8'), 'w');
  const view = await sn.view('view', parent);
  assert.equal(view[0].type, 'overlay');
  assert.ok(view[0].options.includes('ro'));
  const gd = await sn.graphData('ctr', merged);
  assert.equal(gd.LowerDir.split(':').length, 3);
  assert.equal(gd.MergedDir, merged);
}));

test('a 60-layer chain still mounts (lowerdir fits in one page)', withRoot(async (base) => {
  const sn = new OverlaySnapshotter(join(base, 'overlay'));
  let parent: string | null = null;
  for (let i = 0; i < 60; i++) {
    const key = `tmp${i}`;
    await sn.prepare(key, parent);
    writeFileSync(join(sn.upperDir(key), `f${i}`), String(i));
    await sn.commit(`sha256:${String(i).padStart(64, '0')}`, key);
    parent = `sha256:${String(i).padStart(64, '0')}`;
  }
  const merged = join(base, 'm');
  mountAll(await sn.prepare('ctr', parent), merged);
  try {
    assert.equal(readdirSync(merged).length, 60);
  } finally {
    unmount(merged);
  }
}));
