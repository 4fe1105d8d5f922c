import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, promises as fsp, readFileSync, lstatSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { Readable } from 'node:stream';
import { execFileSync } from 'node:child_process';
import type { JSONMessage } from '../api/types.js';
import { mountAll, unmount } from '../mount/index.js';
import { chainIds } from './unpack.js';
import { busyboxLayers, collect, configFor, dockerArchive, makeTar, ociArchive, readable, sha, tempService } from './test-fixtures.js';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
});

async function svcFor(usage?: Parameters<typeof tempService>[0]) {
  const t = await tempService(usage);
  dirs.push(t.dir);
  return t;
}

function sink(): { msgs: JSONMessage[]; fn: (m: JSONMessage) => void } {
  const msgs: JSONMessage[] = [];
  return { msgs, fn: (m) => msgs.push(m) };
}

async function untar(buf: Buffer): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const ex = tar.extract();
  Readable.from([buf]).pipe(ex);
  for await (const e of ex) {
    const chunks: Buffer[] = [];
    for await (const c of e) chunks.push(c as Buffer);
    out.set(e.header.name, Buffer.concat(chunks));
  }
  return out;
}

test('load docker-archive -> list/inspect/resolve/history -> view has whiteout applied', async () => {
  const { svc, snapshotter, dir } = await svcFor();
  const layers = await busyboxLayers();
  const config = configFor(layers);
  const s = sink();
  await svc.load(readable(await dockerArchive(layers, config, ['busybox:latest'])), s.fn);
  assert.deepEqual(s.msgs, [{ stream: 'Loaded image: busybox:latest\n' }]);
  const id = sha(config);

  const list = await svc.list({});
  assert.equal(list.length, 1);
  assert.equal(list[0]!.Id, id);
  assert.deepEqual(list[0]!.RepoTags, ['busybox:latest']);
  assert.deepEqual(list[0]!.Labels, { fixture: 'yes' });
  assert.equal(list[0]!.Created, Date.parse('2024-01-02T03:04:05Z') / 1000);
  assert.ok(list[0]!.Size > 0);

  const ins = await svc.inspect('busybox');
  assert.equal(ins.Id, id);
  assert.deepEqual(ins.RootFS.Layers, layers.map((l) => sha(l)));
  assert.equal(ins.GraphDriver.Name, 'overlay2');
  assert.ok(ins.GraphDriver.Data.UpperDir && ins.GraphDriver.Data.LowerDir);
  assert.notEqual(ins.Metadata.LastTagTime, '0001-01-01T00:00:00Z');
  assert.deepEqual(ins.Config.Cmd, ['sh']);

  const chains = chainIds(layers.map((l) => sha(l)));
  for (const ref of ['busybox', 'busybox:latest', 'docker.io/library/busybox:latest', id, id.slice(7), id.slice(7, 19)]) {
    const r = await svc.resolve(ref);
    assert.equal(r.id, id, ref);
    assert.equal(r.topChainId, chains[1]);
  }
  assert.equal((await svc.resolve('busybox')).reference, 'busybox:latest');
  await assert.rejects(svc.resolve('nope'), { kind: 'not-found', message: 'No such image: nope:latest' });
  await assert.rejects(svc.resolve('busybox:1'), { message: 'No such image: busybox:1' });
  for (const c of chains) assert.equal((await snapshotter.stat(c))?.kind, 'committed');

  const hist = await svc.history('busybox');
  assert.equal(hist.length, 3);
  assert.equal(hist[0]!.Id, id);
  assert.deepEqual(hist[0]!.Tags, ['busybox:latest']);
  assert.equal(hist[0]!.Comment, 'second');
  assert.equal(hist[1]!.Id, '<missing>');
  assert.equal(hist[1]!.Size, 0);
  assert.ok(hist[2]!.Size > 1000);

  const target = path.join(dir, 'view');
  await snapshotter.view('view-1', chains[1]!);
  mountAll(await snapshotter.mounts('view-1'), target);
  try {
    assert.equal(readFileSync(path.join(target, 'etc/hello.txt'), 'utf8'), 'hello\n');
    assert.ok(!existsSync(path.join(target, 'etc/removed.txt')));
    assert.ok(lstatSync(path.join(target, 'bin/sh')).isSymbolicLink());
    assert.ok(readFileSync(path.join(target, 'etc/passwd'), 'utf8').startsWith('root:'));
  } finally {
    unmount(target);
    await snapshotter.remove('view-1');
  }
});

test('save -> load into a second store gives identical IDs; tags move with a rename message', async () => {
  const a = await svcFor();
  const layers = await busyboxLayers();
  const config = configFor(layers);
  await a.svc.load(readable(await dockerArchive(layers, config, ['busybox:latest'])), () => undefined);
  await a.svc.tag('busybox', 'localhost:5000/x', 'y');
  const saved = await collect(await a.svc.save(['busybox']));
  const files = await untar(saved);
  const manifest = JSON.parse(files.get('manifest.json')!.toString());
  assert.deepEqual(manifest[0].RepoTags, ['busybox:latest']);
  assert.equal(manifest[0].Config, `blobs/sha256/${sha(config).slice(7)}`);
  for (const l of layers) assert.ok(files.get(`blobs/sha256/${sha(l).slice(7)}`)!.equals(l));
  assert.deepEqual(JSON.parse(files.get('oci-layout')!.toString()), { imageLayoutVersion: '1.0.0' });
  const index = JSON.parse(files.get('index.json')!.toString());
  assert.equal(index.manifests[0].annotations['io.containerd.image.name'], 'docker.io/library/busybox:latest');
  assert.deepEqual(Object.keys(JSON.parse(files.get('repositories')!.toString())), ['busybox']);

  const b = await svcFor();
  const s = sink();
  await b.svc.load(readable(saved), s.fn);
  assert.deepEqual(s.msgs, [{ stream: 'Loaded image: busybox:latest\n' }]);
  assert.equal((await b.svc.inspect('busybox')).Id, sha(config));
  assert.deepEqual((await b.svc.inspect('busybox')).RootFS, (await a.svc.inspect('busybox')).RootFS);

  // the same tag on a different image moves, with Docker's message
  const other = configFor(layers, { created: '2024-05-05T00:00:00Z' });
  const s2 = sink();
  await b.svc.load(readable(await dockerArchive(layers, other, ['busybox:latest'])), s2.fn);
  assert.deepEqual(s2.msgs, [
    { stream: `The image busybox:latest already exists, renaming the old one with ID ${sha(config)} to empty string\n` },
    { stream: 'Loaded image: busybox:latest\n' },
  ]);
  const list = await b.svc.list({});
  assert.equal(list.length, 2);
  assert.deepEqual(list.find((i) => i.Id === sha(config))!.RepoTags, ['<none>:<none>']);
  assert.deepEqual((await b.svc.list({ filters: new Map([['dangling', ['true']]]) })).map((i) => i.Id), [sha(config)]);
  assert.deepEqual((await b.svc.list({ filters: new Map([['reference', ['busy*']]]) })).map((i) => i.Id), [sha(other)]);

  // a saved OCI layout with compressed layers loads, and saves back uncompressed
  const c = await svcFor();
  const s3 = sink();
  await c.svc.load(readable(await ociArchive(layers, config, 'docker.io/library/oci:1')), s3.fn);
  assert.deepEqual(s3.msgs, [{ stream: 'Loaded image: oci:1\n' }]);
  const resaved = await untar(await collect(await c.svc.save(['oci:1'])));
  for (const l of layers) assert.ok(resaved.get(`blobs/sha256/${sha(l).slice(7)}`)!.equals(l));
  const s4 = sink();
  await c.svc.load(readable(await ociArchive(layers, configFor(layers, { os: 'linux', author: 'x' }))), s4.fn);
  assert.match(s4.msgs[0]!.stream!, /^Loaded image ID: sha256:[a-f0-9]{64}\n$/);
});

test('bad archives are refused and leave nothing visible', async () => {
  const { svc, content, snapshotter } = await svcFor();
  const layers = await busyboxLayers();
  const blobsBefore = (await content.list()).length;

  // diff_ids that do not match the layer content
  const wrong = configFor(layers, { rootfs: { type: 'layers', diff_ids: [sha(layers[0]!), sha('nope')] } });
  await assert.rejects(svc.load(readable(await dockerArchive(layers, wrong, ['bad:1'])), () => undefined), { kind: 'invalid-argument' });

  // a blob whose content does not match its name
  const oci = await ociArchive(layers, configFor(layers), 'bad:2');
  const files = await untar(oci);
  const tampered = await makeTar(
    [...files].map(([name, data]) => ({ name, data: name.startsWith('blobs/sha256/') && data.length > 1000 ? Buffer.concat([data, Buffer.from('x')]) : data })),
  );
  await assert.rejects(svc.load(readable(tampered), () => undefined), { kind: 'invalid-argument' });

  // path traversal, missing files, not an archive
  await assert.rejects(svc.load(readable(await makeTar([{ name: '../evil', data: 'x' }])), () => undefined), { kind: 'invalid-argument' });
  const missing = await makeTar([{ name: 'manifest.json', data: JSON.stringify([{ Config: 'c.json', RepoTags: ['m:1'], Layers: ['l/layer.tar'] }]) }]);
  await assert.rejects(svc.load(readable(missing), () => undefined), { kind: 'invalid-argument', message: /c\.json is missing/ });
  await assert.rejects(svc.load(readable(Buffer.from('not a tar at all, just text'.repeat(40))), () => undefined), { kind: 'invalid-argument' });

  assert.deepEqual(await svc.list({}), []);
  assert.equal((await content.list()).length, blobsBefore);
  assert.deepEqual(await snapshotter.list(), []);
});

test('import a gzip rootfs with changes', async () => {
  const { svc } = await svcFor();
  const [l1] = await busyboxLayers();
  const s = sink();
  const id = await svc.importRootfs(readable(gzipSync(l1!)), { repo: 'imported', tag: 'v1', changes: ['CMD ["/bin/sh"]', 'ENV A=b'], message: 'hi' }, s.fn);
  assert.deepEqual(s.msgs, [{ status: id }]);
  const ins = await svc.inspect('imported:v1');
  assert.equal(ins.Id, id);
  assert.deepEqual(ins.RootFS.Layers, [sha(l1!)]);
  assert.deepEqual(ins.Config.Cmd, ['/bin/sh']);
  assert.deepEqual(ins.Config.Env, ['A=b']);
  assert.equal(ins.Comment, 'hi');
  assert.equal(ins.Os, 'linux');
  assert.equal(ins.Architecture, process.arch === 'x64' ? 'amd64' : process.arch);
  const h = await svc.history(id);
  assert.equal(h.length, 1);
  assert.equal(h[0]!.Comment, 'hi');
  const id2 = await svc.importRootfs(readable(l1!), {}, () => undefined);
  assert.match(id2, /^sha256:/);
  assert.deepEqual((await svc.history(id2))[0]!.Comment, 'Imported from -');
  await assert.rejects(svc.importRootfs(readable(l1!), { changes: ['FROM x'] }, () => undefined), { message: 'from is not a valid change command' });
});

test('rmi semantics and conflicts; prune', async () => {
  let usage: { containerId: string; running: boolean } | undefined;
  const { svc, content, snapshotter } = await svcFor(() => usage);
  const layers = await busyboxLayers();
  const config = configFor(layers);
  const id = sha(config);
  const short = id.slice(7, 19);
  await svc.load(readable(await dockerArchive(layers, config, ['busybox:latest'])), () => undefined);
  await assert.rejects(svc.tag('nope', 'x'), { kind: 'not-found', message: 'No such image: nope:latest' });
  await svc.tag('busybox', 'other', 'v2');

  await assert.rejects(svc.remove(short, {}), {
    kind: 'conflict',
    message: `conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`,
  });
  assert.deepEqual(await svc.remove('other:v2', {}), [{ Untagged: 'other:v2' }]);

  usage = { containerId: 'c0ffee'.repeat(10), running: false };
  await assert.rejects(svc.remove('busybox', {}), {
    kind: 'conflict',
    message: `conflict: unable to remove repository reference "busybox" (must force) - container c0ffeec0ffee is using its referenced image ${short}`,
  });
  usage = { containerId: 'c0ffee'.repeat(10), running: true };
  await assert.rejects(svc.remove(id, { force: true }), {
    message: `conflict: unable to delete ${short} (cannot be forced) - image is being used by running container c0ffeec0ffee`,
  });
  usage = undefined;

  const chains = chainIds(layers.map((l) => sha(l)));
  const res = await svc.remove('busybox', {});
  assert.deepEqual(res, [{ Untagged: 'busybox:latest' }, { Deleted: id }, { Deleted: chains[1] }, { Deleted: chains[0] }]);
  assert.deepEqual(await svc.list({}), []);
  assert.deepEqual(await snapshotter.list(), []);
  assert.deepEqual(await content.list(), []);

  // prune removes dangling only by default, then everything unused with dangling=false
  await svc.load(readable(await dockerArchive(layers, config, null)), () => undefined);
  const tagged = configFor(layers, { created: '2024-06-01T00:00:00Z' });
  await svc.load(readable(await dockerArchive(layers, tagged, ['keep:1'])), () => undefined);
  const p1 = await svc.prune({});
  assert.deepEqual(p1.ImagesDeleted, [{ Deleted: id }]);
  assert.equal(p1.SpaceReclaimed, 0); // layers still used by keep:1
  assert.deepEqual((await svc.list({})).map((i) => i.RepoTags), [['keep:1']]);
  const p2 = await svc.prune({ filters: new Map([['dangling', ['false']]]) });
  assert.equal(p2.ImagesDeleted!.length, 4);
  assert.ok(p2.SpaceReclaimed > 0);
  assert.deepEqual(await snapshotter.list(), []);
});

test('import a GNU tar busybox rootfs (./ names, applet symlinks) and run it with chroot', async () => {
  const { svc, snapshotter, dir, content } = await svcFor();
  const root = path.join(dir, 'rootfs');
  for (const d of ['bin', 'etc', 'tmp', 'root', 'proc', 'sys', 'dev']) await fsp.mkdir(path.join(root, d), { recursive: true });
  await fsp.copyFile('/usr/bin/busybox', path.join(root, 'bin/busybox'));
  await fsp.chmod(path.join(root, 'bin/busybox'), 0o755);
  for (const a of ['sh', 'echo', 'cat', 'ls']) await fsp.symlink('busybox', path.join(root, 'bin', a));
  await fsp.writeFile(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  await fsp.writeFile(path.join(root, 'etc/group'), 'root:x:0:\n');
  const tgz = execFileSync('tar', ['-C', root, '--numeric-owner', '-czf', '-', '.'], { maxBuffer: 64 << 20 });
  const id = await svc.importRootfs(readable(tgz), { repo: 'busybox', changes: ['CMD ["sh"]'] }, () => undefined);
  const r = await svc.resolve('busybox:latest');
  assert.equal(r.id, id);
  assert.deepEqual(r.config.Cmd, ['sh']);
  const target = path.join(dir, 'run');
  await snapshotter.prepare('ctr-1', r.topChainId);
  mountAll(await snapshotter.mounts('ctr-1'), target);
  try {
    const out = execFileSync('chroot', [target, '/bin/sh', '-c', 'echo ok > /tmp/x; cat /tmp/x /etc/group; ls /'], { encoding: 'utf8' });
    assert.match(out, /^ok\nroot:x:0:\n/);
    assert.match(out, /proc/);
  } finally {
    unmount(target);
  }
  // the container's snapshot keeps the image layer alive through a forced rmi
  const res = await svc.remove('busybox', { force: true });
  assert.deepEqual(res, [{ Untagged: 'busybox:latest' }, { Deleted: id }]);
  assert.equal((await snapshotter.stat(r.topChainId!))?.kind, 'committed');
  await snapshotter.remove('ctr-1');
  await snapshotter.prepare('extract-leftover', null);
  const gc = await svc.collectGarbage({ blobs: true });
  assert.deepEqual(gc.snapshots.sort(), ['extract-leftover', r.topChainId].sort());
  assert.deepEqual(await snapshotter.list(), []);
  assert.deepEqual(await content.list(), []);
});

test('concurrent loads of images sharing layers both land; the index survives a reopen', async () => {
  const { svc, deps, snapshotter } = await svcFor();
  const layers = await busyboxLayers();
  const c1 = configFor(layers);
  const c2 = configFor(layers, { created: '2024-03-03T00:00:00Z' });
  const [a1, a2] = await Promise.all([dockerArchive(layers, c1, ['one:1']), dockerArchive(layers, c2, ['two:2'])]);
  await Promise.all([svc.load(readable(a1), () => undefined), svc.load(readable(a2), () => undefined)]);
  assert.deepEqual((await svc.list({})).map((i) => i.RepoTags[0]).sort(), ['one:1', 'two:2']);
  assert.equal((await snapshotter.list()).length, 2);
  const { LocalImageService } = await import('./local-image-service.js');
  const reopened = await LocalImageService.open(deps);
  assert.equal((await reopened.inspect('two:2')).Id, sha(c2));
  assert.ok(JSON.parse(readFileSync(path.join(deps.root, 'index.json'), 'utf8')).schemaVersion === 1);
});

test('multi-platform OCI index picks the host platform; save by repo name / by ID', async () => {
  const { svc } = await svcFor();
  const layers = await busyboxLayers();
  const config = configFor(layers);
  const s = sink();
  await svc.load(readable(await ociArchive(layers, config, 'docker.io/library/multi:1', true)), s.fn);
  assert.deepEqual(s.msgs, [{ stream: 'Loaded image: multi:1\n' }]);
  assert.equal((await svc.inspect('multi:1')).Id, sha(config));
  await svc.tag('multi:1', 'multi', '2');
  await svc.tag('multi:1', 'unrelated', '3');
  const byRepo = JSON.parse((await untar(await collect(await svc.save(['multi'])))).get('manifest.json')!.toString());
  assert.deepEqual(byRepo[0].RepoTags, ['multi:1', 'multi:2']);
  const byId = JSON.parse((await untar(await collect(await svc.save([sha(config).slice(7, 19)])))).get('manifest.json')!.toString());
  assert.equal(byId[0].RepoTags, null);
  await assert.rejects(svc.save(['multi:9']), { kind: 'not-found', message: 'No such image: multi:9' });
  const since = await svc.list({ filters: new Map([['before', ['multi:1']]]) });
  assert.deepEqual(since, []);
});

test('a save stream dropped by its reader releases its leases', async () => {
  const { svc } = await svcFor();
  const layers = await busyboxLayers();
  const config = configFor(layers);
  await svc.load(readable(await dockerArchive(layers, config, ['drop:1'])), () => undefined);
  const stream = await svc.save(['drop:1']);
  assert.ok(svc.index.leases.has(sha(config)));
  await new Promise<void>((resolve) => stream.once('data', () => resolve()));
  stream.destroy();
  for (let i = 0; i < 50 && svc.index.leases.has(sha(config)); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(!svc.index.leases.has(sha(config)));
  assert.deepEqual((await svc.remove('drop:1', {})).at(-1), { Deleted: chainIds(layers.map((l) => sha(l)))[0] });
});
