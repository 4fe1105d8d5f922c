import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Mount } from '../mount/types.js';
import { EngineError } from '../shared/errors.js';
import { RecordingVolumeHost, VolumeService, type VolumeEvent } from '../volumes/index.js';
import type { SpecInput } from '../runtime/spec/spec-input.js';
import { fakeClock } from './clock.js';
import { LocalContainerService } from './local-container-service.js';
import { FakeImages, FakeMounts, FakeRuntime, FakeSnapshots, fakeSpec } from './test-fakes.js';

/** Mounting a snapshot for copy-up shows the "image" tree; unmounting empties the directory again. */
class ImageMounts extends FakeMounts {
  constructor(private readonly image: string) {
    super();
  }
  override mountAll(m: Mount[], target: string): void {
    super.mountAll(m, target);
    if (target.includes('berth-volumes-')) cpSync(this.image, target, { recursive: true });
  }
  override unmount(target: string): void {
    super.unmount(target);
    if (target.includes('berth-volumes-')) for (const n of readdirSync(target)) rmSync(join(target, n), { recursive: true, force: true });
  }
}

async function setup(root: string, image: string) {
  const events: VolumeEvent[] = [];
  const volumes = await VolumeService.open({ root: join(root, 'data', 'volumes'), host: new RecordingVolumeHost(), publish: (e) => events.push(e) });
  const images = new FakeImages();
  images.add('img:latest', { Cmd: ['sh'], Volumes: { '/data': {} } });
  const specs: SpecInput[] = [];
  const svc = new LocalContainerService({
    dataRoot: join(root, 'data'),
    execRoot: join(root, 'exec'),
    images,
    snapshots: new FakeSnapshots(),
    mounts: new ImageMounts(image),
    spec: { ...fakeSpec, build: (input) => (specs.push(input), fakeSpec.build(input)) },
    runtime: new FakeRuntime(),
    clock: fakeClock(Date.parse('2024-05-01T10:00:00Z')),
    hostFiles: () => ({ resolvConf: '', hosts: '', hostname: 'h' }),
    volumes,
  });
  return { svc, volumes, events, specs };
}

const err = async (fn: () => Promise<unknown>): Promise<string> => {
  try {
    await fn();
  } catch (e) {
    return EngineError.is(e) ? `${e.kind}: ${e.message}` : String(e);
  }
  return 'ok';
};

test('volumes in containers: -v, --mount, image VOLUME with copy-up, --volumes-from, in-use, rm -v, restore', async () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-ctr-vol-'));
  const image = join(root, 'image');
  mkdirSync(join(image, 'data', 'sub'), { recursive: true });
  writeFileSync(join(image, 'data', 'sub', 'f'), 'from the image\n');
  chmodSync(join(image, 'data', 'sub', 'f'), 0o600);
  chmodSync(join(image, 'data'), 0o750);
  try {
    const { svc, volumes, events, specs } = await setup(root, image);
    const { Id: c1 } = await svc.create(
      { Image: 'img', HostConfig: { Binds: ['named:/n', '/srv/h:/h:ro,rslave'], Mounts: [{ Type: 'volume', Target: '/m', VolumeOptions: { NoCopy: true } }] } },
      { name: 'one' },
    );
    const mounts = (await svc.inspect(c1)).Mounts.sort((a, b) => a.Destination.localeCompare(b.Destination));
    const anon = mounts.find((m) => m.Destination === '/data')!.Name!;
    assert.match(anon, /^[0-9a-f]{64}$/);
    const dataDir = (n: string): string => join(root, 'data', 'volumes', n, '_data');
    assert.deepEqual(mounts, [
      { Type: 'volume', Name: anon, Source: dataDir(anon), Destination: '/data', Driver: 'local', Mode: '', RW: true, Propagation: '' },
      { Type: 'bind', Source: '/srv/h', Destination: '/h', Mode: 'ro,rslave', RW: false, Propagation: 'rslave' },
      { Type: 'volume', Name: mounts[2]!.Name, Source: dataDir(mounts[2]!.Name!), Destination: '/m', Driver: 'local', Mode: 'z', RW: true, Propagation: '' },
      { Type: 'volume', Name: 'named', Source: dataDir('named'), Destination: '/n', Driver: 'local', Mode: 'z', RW: true, Propagation: '' },
    ]);
    // copy-up of the image's /data into the new anonymous volume, modes kept
    assert.equal(readFileSync(join(dataDir(anon), 'sub', 'f'), 'utf8'), 'from the image\n');
    assert.equal(statSync(join(dataDir(anon), 'sub', 'f')).mode & 0o777, 0o600);
    assert.equal(statSync(dataDir(anon)).mode & 0o777, 0o750);

    await svc.start(c1);
    const binds = specs.at(-1)!.mounts!;
    assert.deepEqual(binds.find((b) => b.destination === '/n'), { destination: '/n', type: 'bind', source: dataDir('named'), options: ['rbind'] });
    assert.deepEqual(binds.find((b) => b.destination === '/h'), { destination: '/h', type: 'bind', source: '/srv/h', options: ['rbind', 'ro', 'rslave'] });
    assert.equal(events.filter((e) => e.Action === 'mount').length, 3);

    const { Id: c2 } = await svc.create({ Image: 'img', HostConfig: { VolumesFrom: ['one:ro'] } }, { name: 'two' });
    const m2 = (await svc.inspect(c2)).Mounts;
    assert.equal(m2.length, 4);
    assert.ok(m2.every((m) => !m.RW && m.Mode === ''), JSON.stringify(m2));
    assert.equal(m2.find((m) => m.Destination === '/data')!.Name, anon, 'the image VOLUME is not shadowed by a new anonymous volume');

    const both = [c1, c2].sort().join(', ');
    assert.equal(await err(() => volumes.remove('named')), `conflict: remove named: volume is in use - [${both}]`);
    assert.equal(
      await err(() => svc.create({ Image: 'img', HostConfig: { VolumesFrom: ['nosuch'] } }, {})),
      'invalid-argument: No such container: nosuch',
    );
    assert.equal(await err(() => svc.create({ Image: 'img', HostConfig: { Binds: ['a1:/x', '/srv:/x'] } }, {})), 'invalid-argument: Duplicate mount point: /x');
    assert.equal(
      await err(() => svc.create({ Image: 'img', HostConfig: { Binds: ['a/b:/x'] } }, {})),
      'invalid-argument: create a/b: "a/b" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path',
    );
    assert.deepEqual(volumes.list().Volumes.map((v) => v.Name).sort(), [anon, mounts[2]!.Name!, 'named'].sort(), 'failed creates leave no volumes behind');

    // a daemon restart: references come back from the container records
    svc.close();
    const again = await setup(root, image);
    await again.svc.restore();
    assert.equal(await err(() => again.volumes.remove('named')), `conflict: remove named: volume is in use - [${both}]`);

    await again.svc.remove(c1, { force: true, volumes: true });
    assert.equal(again.volumes.list().Volumes.length, 3, 'anonymous volumes still used by two stay');
    await again.svc.remove(c2, { volumes: true });
    assert.deepEqual(again.volumes.list().Volumes.map((v) => v.Name), ['named']);
    assert.equal(await err(() => again.volumes.remove('named')), 'ok');
    again.svc.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
