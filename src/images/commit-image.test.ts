import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fsp, readFileSync } from 'node:fs';
import path from 'node:path';
import { mountAll, unmount } from '../mount/index.js';
import { EMPTY_LAYER_DIFF_ID } from './commit-image.js';
import { chainIds } from './unpack.js';
import { busyboxLayers, configFor, dockerArchive, makeTar, readable, sha, tempService } from './test-fixtures.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
});

async function withBase() {
  const t = await tempService();
  dirs.push(t.dir);
  const layers = await busyboxLayers();
  const config = configFor(layers);
  await t.svc.load(readable(await dockerArchive(layers, config, ['busybox:latest'])), () => undefined);
  return { ...t, layers, baseId: sha(config) };
}

test('commit: one layer on the parent, config/history/rootfs as docker commit writes them, tagged, unpacked', async () => {
  const { svc, content, snapshotter, dir, layers, baseId } = await withBase();
  const layer = await makeTar([
    { name: 'etc/', type: 'directory' },
    { name: 'etc/.wh.hello.txt', data: '' },
    { name: 'new', data: 'hi\n' },
  ]);
  const r = await svc.commit({
    layer: readable(layer),
    parent: baseId,
    config: { Cmd: ['x'], Env: ['A=b'], Hostname: 'abc', Image: 'busybox' },
    containerConfig: { Cmd: ['sh', '-c', 'echo hi >/new'], Hostname: 'abc', Image: 'busybox' },
    containerId: 'c'.repeat(64),
    author: 'me',
    comment: 'msg',
    createdBy: 'sh -c echo hi >/new',
    tags: ['docker.io/library/snap:1'],
  });
  assert.equal(r.emptyLayer, false);
  const cfg = JSON.parse((await content.readBuffer(r.id)).toString()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(cfg), ['architecture', 'author', 'config', 'container', 'container_config', 'created', 'history', 'os', 'rootfs'], 'top-level keys sorted');
  assert.deepEqual(Object.keys(cfg.config as object).slice(0, 4), ['Hostname', 'Domainname', 'User', 'AttachStdin']);
  assert.deepEqual((cfg.rootfs as { diff_ids: string[] }).diff_ids, [...layers.map((l) => sha(l)), sha(layer)]);
  const history = cfg.history as Record<string, unknown>[];
  assert.equal(history.length, 4);
  assert.deepEqual({ ...history[3], created: 'x' }, { created: 'x', author: 'me', created_by: 'sh -c echo hi >/new', comment: 'msg' });

  const ins = await svc.inspect('snap:1');
  assert.equal(ins.Id, r.id);
  assert.equal(ins.Parent, baseId);
  assert.equal(ins.Comment, 'msg');
  assert.equal(ins.Author, 'me');
  assert.equal(ins.Container, 'c'.repeat(64));
  assert.deepEqual(ins.Config.Cmd, ['x']);
  assert.deepEqual(ins.ContainerConfig.Cmd, ['sh', '-c', 'echo hi >/new']);
  const hist = await svc.history('snap:1');
  assert.deepEqual(hist.map((h) => h.Id), [r.id, baseId, '<missing>', '<missing>']);
  assert.deepEqual(hist[1]!.Tags, ['busybox:latest']);
  assert.equal((await svc.list({})).find((i) => i.Id === r.id)?.ParentId, baseId);

  const top = chainIds([...layers.map((l) => sha(l)), sha(layer)]).at(-1)!;
  assert.equal((await snapshotter.stat(top))?.kind, 'committed');
  const mnt = path.join(dir, 'mnt');
  mountAll(await snapshotter.view('v', top), mnt);
  try {
    assert.equal(readFileSync(path.join(mnt, 'new'), 'utf8'), 'hi\n');
    await assert.rejects(fsp.stat(path.join(mnt, 'etc/hello.txt')), { code: 'ENOENT' });
    assert.ok(readFileSync(path.join(mnt, 'etc/passwd'), 'utf8').startsWith('root'));
  } finally {
    unmount(mnt);
    await snapshotter.remove('v');
  }
});

test('commit: an empty layer adds an empty_layer history entry, no layer and no blob', async () => {
  const { svc, content, layers, baseId } = await withBase();
  const r = await svc.commit({ layer: readable(Buffer.alloc(1024)), parent: baseId, config: { Cmd: ['sh'] }, createdBy: 'sh' });
  assert.equal(r.emptyLayer, true);
  const ins = await svc.inspect(r.id);
  assert.deepEqual(ins.RootFS.Layers, layers.map((l) => sha(l)));
  const cfg = JSON.parse((await content.readBuffer(r.id)).toString()) as { history: { empty_layer?: boolean }[] };
  assert.equal(cfg.history.at(-1)!.empty_layer, true);
  assert.equal(await content.has(EMPTY_LAYER_DIFF_ID), false);
  assert.deepEqual(ins.RepoTags, []);
});

test('commit: a missing parent is refused before anything is stored', async () => {
  const { svc } = await withBase();
  await assert.rejects(svc.commit({ layer: readable(Buffer.alloc(1024)), parent: sha('nope'), config: {}, createdBy: '' }), { kind: 'not-found' });
});

test('parents: never deleted under a child; untagged ones are intermediate (list -a) and go with their last child', async () => {
  const { svc, baseId } = await withBase();
  const child = await svc.commit({ layer: readable(await makeTar([{ name: 'c', data: 'c' }])), parent: baseId, config: { Cmd: ['sh'] }, createdBy: 'sh', tags: ['docker.io/library/child:latest'] });
  await assert.rejects(svc.remove(baseId, { force: true }), { kind: 'conflict', message: `conflict: unable to delete ${baseId.slice(7, 19)} (cannot be forced) - image has dependent child images` });
  assert.deepEqual(await svc.remove('busybox', {}), [{ Untagged: 'busybox:latest' }]);
  assert.equal((await svc.inspect(baseId)).Id, baseId);
  assert.equal((await svc.inspect('child')).Parent, baseId);
  assert.deepEqual((await svc.list({})).map((i) => i.Id), [child.id]);
  assert.deepEqual((await svc.list({ all: true })).map((i) => i.Id).sort(), [child.id, baseId].sort());
  const items = await svc.remove('child', {});
  assert.deepEqual(items.slice(0, 3), [{ Untagged: 'child:latest' }, { Deleted: child.id }, { Deleted: baseId }]);
  assert.deepEqual(await svc.list({ all: true }), []);
});
