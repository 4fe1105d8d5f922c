import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar from 'tar-stream';
import { baseRootfsTar, forEachTarget, sleep, uniq, waitFor } from './harness.js';

/**
 * Volumes and binds, the same scenarios against berth and the Docker oracle (issue 8 parts 1
 * and 2). The oracle is Docker 20.10 (API 1.41): where Docker changed behaviour at API 1.42
 * (prune keeps named volumes, anonymous volumes carry a label) the scenario asserts what the
 * negotiated API version prescribes.
 */

interface Extra {
  name: string;
  type?: 'file' | 'directory' | 'symlink';
  body?: string;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
}

/** The busybox rootfs tar with `extra` entries appended (for `docker import`). */
async function rootfsWith(extra: Extra[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((res, rej) => {
    pack.on('end', () => res());
    pack.on('error', rej);
  });
  const extract = tar.extract();
  await new Promise<void>((res, rej) => {
    extract.on('entry', (h, stream, next) => {
      stream.pipe(pack.entry(h, (err) => (err ? rej(err) : next())));
    });
    extract.on('finish', () => res());
    extract.on('error', rej);
    createReadStream(baseRootfsTar()).pipe(extract);
  });
  for (const e of extra) {
    const type = e.type ?? 'file';
    const body = type === 'file' ? Buffer.from(e.body ?? '') : undefined;
    const h = { name: e.name, type, mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644), uid: e.uid ?? 0, gid: e.gid ?? 0, mtime: new Date(1_700_000_000_000), linkname: e.linkname, size: body?.length ?? 0 };
    await new Promise<void>((res, rej) => {
      if (body) pack.entry(h, body, (err) => (err ? rej(err) : res()));
      else pack.entry(h, (err) => (err ? rej(err) : res()));
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** A tar with the given raw entry names (for the escape attempts). */
async function rawTar(entries: { name: string; body: string }[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((res) => {
    pack.on('end', () => res());
  });
  for (const e of entries) pack.entry({ name: e.name, mode: 0o644, mtime: new Date(0) }, e.body);
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

const NONE = ['--network', 'none'];

forEachTarget('volumes and binds', (t) => {
  const prefix = uniq('vt');
  let n = 0;
  const name = (what: string): string => `${prefix}-${what}-${++n}`;
  let apiVersion = '1.43';
  let hostDir = '';
  const dk = (args: string[], input?: Buffer | string) => t().docker(args, input === undefined ? {} : { input });
  const ok = async (args: string[], input?: Buffer | string) => {
    const r = await dk(args, input);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const newApi = (): boolean => apiVersion >= '1.42';

  before(async () => {
    apiVersion = (await ok(['version', '--format', '{{.Server.APIVersion}}'])).trim() || '1.43';
    hostDir = mkdtempSync(join(tmpdir(), 'berth-e2e-vol-'));
  });

  after(async () => {
    const left = (await dk(['volume', 'ls', '-q', '--filter', `name=${prefix}`])).stdout.split('\n').filter(Boolean);
    for (const v of left) await dk(['volume', 'rm', '-f', v]);
    if (hostDir) {
      try {
        execFileSync('umount', ['-R', join(hostDir, 'shared')], { stdio: 'ignore' });
      } catch {
        // not mounted
      }
      rmSync(hostDir, { recursive: true, force: true });
    }
  });

  test('volume create / ls / inspect / rm with Docker\'s shapes and errors', async () => {
    const v = name('basic');
    assert.equal(await ok(['volume', 'create', '--label', 'team=a', v]), `${v}\n`);
    assert.equal(await ok(['volume', 'create', v]), `${v}\n`, 'create of an existing name returns it');
    const info = JSON.parse(await ok(['volume', 'inspect', v]))[0];
    assert.deepEqual(Object.keys(info), ['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
    assert.deepEqual([info.Driver, info.Name, info.Scope, info.Options, info.Labels], ['local', v, 'local', null, { team: 'a' }]);
    assert.match(info.Mountpoint, new RegExp(`/volumes/${v}/_data$`));
    assert.match(info.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
    assert.equal(await ok(['volume', 'ls', '--filter', `name=${v}`]), `DRIVER    VOLUME NAME\nlocal     ${v}\n`);
    assert.equal(await ok(['volume', 'ls', '-q', '--filter', `name=${v}`, '--filter', 'label=team=a']), `${v}\n`);
    assert.equal(await ok(['volume', 'ls', '-q', '--filter', `name=${v}`, '--filter', 'label=team=b']), '');
    assert.equal(await ok(['volume', 'ls', '-q', '--filter', `name=${v}`, '--filter', 'dangling=true']), `${v}\n`);
    assert.equal(await ok(['volume', 'inspect', '-f', '{{.Name}} {{.Labels}} {{.Options}}', v]), `${v} map[team:a] map[]\n`);
    assert.equal(await ok(['volume', 'rm', v]), `${v}\n`);
    const again = await dk(['volume', 'rm', v]);
    assert.equal(again.code, 1);
    assert.equal(again.stderr.trim(), `Error response from daemon: get ${v}: no such volume`);
    assert.equal((await dk(['volume', 'rm', '-f', v])).code, 0);
    const missing = await dk(['volume', 'inspect', v]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, new RegExp(`no such volume`));
  });

  test('bad volume names and driver options are refused in Docker\'s words', async () => {
    for (const bad of ['a/b', '..']) {
      const r = await dk(['volume', 'create', bad]);
      assert.equal(r.code, 1);
      assert.equal(
        r.stderr.trim(),
        `Error response from daemon: create ${bad}: "${bad}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
      );
    }
    const viaRun = await dk(['run', '--rm', ...NONE, '-v', 'a/b:/x', 'busybox', 'true']);
    assert.equal(viaRun.code, 125);
    assert.match(viaRun.stderr, /create a\/b: "a\/b" includes invalid characters for a local volume name/);
    const opt = await dk(['volume', 'create', '-o', 'foo=bar', name('opt')]);
    assert.equal(opt.code, 1);
    assert.match(opt.stderr, /invalid option: "foo"$/m);
    const req = await dk(['volume', 'create', '-o', 'device=/tmp', name('opt')]);
    assert.match(req.stderr, /missing required option: "type"$/m);
    assert.equal((await dk(['volume', 'ls', '-q', '--filter', `name=${prefix}-opt`])).stdout, '');
  });

  test('a named volume keeps data between containers; :ro is read-only', async () => {
    const v = name('data');
    await ok(['run', '--rm', ...NONE, '-v', `${v}:/data`, 'busybox', 'sh', '-c', 'echo kept > /data/f']);
    assert.equal(await ok(['run', '--rm', ...NONE, '-v', `${v}:/data:ro`, 'busybox', 'cat', '/data/f']), 'kept\n');
    const w = await dk(['run', '--rm', ...NONE, '-v', `${v}:/data:ro`, 'busybox', 'touch', '/data/g']);
    assert.notEqual(w.code, 0);
    assert.match(w.stderr, /Read-only file system/);
    assert.equal(await ok(['run', '--rm', ...NONE, '--mount', `type=volume,src=${v},dst=/m,readonly`, 'busybox', 'cat', '/m/f']), 'kept\n');
    await ok(['volume', 'rm', v]);
  });

  test('copy-up: an image VOLUME and a new named volume get the image content with owners and modes; nocopy does not', async () => {
    const img = `${prefix}-copyup:1`;
    const rootfs = await rootfsWith([
      { name: 'data/', type: 'directory', mode: 0o750, uid: 1000, gid: 1001 },
      { name: 'data/conf', body: 'from the image\n', mode: 0o640, uid: 1000, gid: 1001 },
      { name: 'data/sub/', type: 'directory', mode: 0o700 },
      { name: 'data/sub/deep', body: 'deep\n' },
      { name: 'data/rel', type: 'symlink', linkname: '../etc/passwd' },
      { name: 'data/abs', type: 'symlink', linkname: '/etc/hostname' },
    ]);
    await ok(['import', '-c', 'VOLUME /data', '-c', 'CMD ["sh"]', '-', img], rootfs);
    const show = 'cd /data && for f in . conf sub sub/deep rel abs; do stat -c "%n %u:%g %a %F" $f; done; readlink rel; readlink abs; cat conf';
    const expected = ['. 1000:1001 750 directory', 'conf 1000:1001 640 regular file', 'sub 0:0 700 directory', 'sub/deep 0:0 644 regular file', 'rel 0:0 777 symbolic link', 'abs 0:0 777 symbolic link', '../etc/passwd', '/etc/hostname', 'from the image', ''].join('\n');
    // anonymous volume from the image's VOLUME
    const c = name('cu');
    assert.equal(await ok(['run', '--name', c, ...NONE, img, 'sh', '-c', show]), expected);
    const mounts = JSON.parse(await ok(['inspect', '-f', '{{json .Mounts}}', c]));
    assert.equal(mounts.length, 1);
    assert.deepEqual({ ...mounts[0], Name: '', Source: '' }, { Type: 'volume', Name: '', Source: '', Destination: '/data', Driver: 'local', Mode: '', RW: true, Propagation: '' });
    assert.match(mounts[0].Name, /^[0-9a-f]{64}$/);
    assert.equal(mounts[0].Source.endsWith(`/volumes/${mounts[0].Name}/_data`), true);
    // a new named volume is filled the same way
    const v = name('cu-named');
    assert.equal(await ok(['run', '--rm', ...NONE, '-v', `${v}:/data`, img, 'sh', '-c', show]), expected);
    // a volume with content is never copied into
    await ok(['run', '--rm', ...NONE, '-v', `${v}:/data`, img, 'sh', '-c', 'rm -rf /data/* && echo mine > /data/own']);
    assert.equal(await ok(['run', '--rm', ...NONE, '-v', `${v}:/data`, img, 'ls', '/data']), 'own\n');
    // nocopy
    const empty = name('nocopy');
    assert.equal(await ok(['run', '--rm', ...NONE, '-v', `${empty}:/data:nocopy`, img, 'ls', '-A', '/data']), '');
    const empty2 = name('nocopy');
    assert.equal(await ok(['run', '--rm', ...NONE, '--mount', `type=volume,src=${empty2},dst=/data,volume-nocopy`, img, 'ls', '-A', '/data']), '');
    await ok(['rm', '-v', c]);
    assert.equal((await dk(['volume', 'inspect', mounts[0].Name])).code, 1, 'rm -v removed the anonymous volume');
    await ok(['volume', 'rm', v, empty, empty2]);
    await ok(['rmi', img]);
  });

  test('copy-up never follows a symlink out of the rootfs', async () => {
    const img = `${prefix}-evil:1`;
    const marker = join(hostDir, 'host-secret');
    writeFileSync(join(hostDir, 'host-secret-file'), 'host only\n');
    // /data and /up link to a host path: resolved inside the rootfs only
    const rootfs = await rootfsWith([
      { name: 'data', type: 'symlink', linkname: hostDir },
      { name: 'up', type: 'symlink', linkname: `/../../../../..${hostDir}` },
    ]);
    await ok(['import', '-c', 'VOLUME /data', '-c', 'VOLUME /up', '-c', 'CMD ["sh"]', '-', img], rootfs);
    const r = await dk(['run', '--rm', ...NONE, img, 'sh', '-c', 'ls -A /data /up']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /host-secret/);
    assert.equal(existsSync(marker), false);
    assert.equal(readFileSync(join(hostDir, 'host-secret-file'), 'utf8'), 'host only\n');
    await ok(['rmi', img]);
  });

  test('anonymous volumes: -v /path and --mount without source; rm -v and --rm remove them, named ones stay', async () => {
    const keep = name('keep');
    const c = name('anon');
    await ok(['create', '--name', c, ...NONE, '-v', '/anon', '-v', `${keep}:/named`, '--mount', 'type=volume,dst=/m', 'busybox', 'true']);
    const mounts: { Name: string; Destination: string; Mode: string }[] = JSON.parse(await ok(['inspect', '-f', '{{json .Mounts}}', c]));
    const byDest = Object.fromEntries(mounts.map((m) => [m.Destination, m]));
    assert.deepEqual(Object.keys(byDest).sort(), ['/anon', '/m', '/named']);
    assert.equal(byDest['/named']!.Name, keep);
    assert.equal(byDest['/named']!.Mode, 'z');
    assert.equal(byDest['/m']!.Mode, 'z');
    assert.equal(byDest['/anon']!.Mode, '');
    const anon = [byDest['/anon']!.Name, byDest['/m']!.Name];
    if (newApi()) {
      const labels = await ok(['volume', 'inspect', '-f', '{{json .Labels}}', anon[0]!]);
      assert.equal(labels, '{"com.docker.volume.anonymous":""}\n');
    }
    const ps = await ok(['ps', '-a', '--filter', `name=${c}`, '--filter', `volume=${keep}`, '--format', '{{.Names}}']);
    assert.equal(ps, `${c}\n`);
    await ok(['rm', '-v', c]);
    for (const a of anon) assert.equal((await dk(['volume', 'inspect', a])).code, 1, `${a} should be gone`);
    assert.equal((await dk(['volume', 'inspect', keep])).code, 0, 'named volumes stay');
    // --rm takes its anonymous volumes along
    const id = (await ok(['run', '--rm', '-d', ...NONE, '-v', '/scratch', 'busybox', 'sleep', '2'])).trim();
    const vol = (await ok(['inspect', '-f', '{{range .Mounts}}{{.Name}}{{end}}', id])).trim();
    await ok(['wait', id]).catch(() => '');
    await waitFor(async () => (await dk(['volume', 'inspect', vol])).code !== 0, 10_000);
    await ok(['volume', 'rm', keep]);
  });

  test('--volumes-from shares volumes (and binds), :ro makes them read-only; a missing container is refused', async () => {
    const src = name('from');
    const v = name('shared');
    const bind = join(hostDir, 'vf-bind');
    await ok(['run', '--name', src, ...NONE, '-v', `${v}:/data`, '-v', `${bind}:/hostdir`, '-v', '/anon', 'busybox', 'sh', '-c', 'echo shared > /data/f; echo b > /hostdir/b']);
    assert.equal(await ok(['run', '--rm', ...NONE, '--volumes-from', src, 'busybox', 'cat', '/data/f', '/hostdir/b']), 'shared\nb\n');
    const ro = name('ro');
    await ok(['create', '--name', ro, ...NONE, '--volumes-from', `${src}:ro`, 'busybox', 'touch', '/data/x']);
    const mounts: { RW: boolean; Mode: string; Destination: string }[] = JSON.parse(await ok(['inspect', '-f', '{{json .Mounts}}', ro]));
    assert.deepEqual(mounts.map((m) => `${m.Destination} ${m.RW} ${m.Mode}`).sort(), ['/anon false ', '/data false ', '/hostdir false ']);
    const w = await dk(['start', '-a', ro]);
    assert.notEqual(w.code, 0);
    assert.match(w.stderr + w.stdout, /Read-only file system/);
    const missing = await dk(['run', '--rm', ...NONE, '--volumes-from', `${prefix}-nosuch`, 'busybox', 'true']);
    assert.equal(missing.code, 125);
    assert.match(missing.stderr, new RegExp(`No such container: ${prefix}-nosuch`));
    // the anonymous volume is used by both: rm -v of the first keeps it, of the last removes it
    const anon = JSON.parse(await ok(['inspect', '-f', '{{json .Mounts}}', src])).find((m: { Destination: string }) => m.Destination === '/anon').Name;
    await ok(['rm', '-v', src]);
    assert.equal((await dk(['volume', 'inspect', anon])).code, 0);
    await ok(['rm', '-v', ro]);
    assert.equal((await dk(['volume', 'inspect', anon])).code, 1);
    await ok(['volume', 'rm', v]);
  });

  test('a volume in use cannot be removed (Docker\'s exact message), nor pruned', async () => {
    const v = name('busy');
    const a = (await ok(['create', ...NONE, '-v', `${v}:/d`, 'busybox', 'true'])).trim();
    const b = (await ok(['create', ...NONE, '--mount', `type=volume,src=${v},dst=/e`, 'busybox', 'true'])).trim();
    const r = await dk(['volume', 'rm', v]);
    assert.equal(r.code, 1);
    const ids = r.stderr.match(/\[(.*)\]/)?.[1]?.split(', ').sort();
    assert.match(r.stderr, new RegExp(`^Error response from daemon: remove ${v}: volume is in use - \\[[0-9a-f, ]+\\]\\n$`));
    assert.deepEqual(ids, [a, b].sort());
    assert.equal((await dk(['volume', 'rm', '-f', v])).code, 1, 'force does not override in-use');
    assert.equal(await ok(['volume', 'ls', '-q', '--filter', `name=${v}`, '--filter', 'dangling=true']), '');
    const pruned = await t().api('POST', `/v1.41/volumes/prune?filters=${encodeURIComponent(JSON.stringify({ label: [] }))}`);
    assert.equal(pruned.status, 200);
    assert.doesNotMatch(pruned.body.toString(), new RegExp(v));
    await ok(['rm', a, b]);
    assert.equal(await ok(['volume', 'rm', v]), `${v}\n`);
  });

  test('prune by API version: 1.41 removes every unused volume, 1.42+ only anonymous ones unless all=true', async () => {
    const label = `${prefix}-prune=1`;
    const setup = async (): Promise<{ named: string; anon: string }> => {
      const named = name('pn');
      await ok(['volume', 'create', '--label', label, named]);
      const c = (await ok(['create', ...NONE, '--mount', `type=volume,dst=/x,volume-label=${label}`, 'busybox', 'true'])).trim();
      const anon = (await ok(['inspect', '-f', '{{range .Mounts}}{{.Name}}{{end}}', c])).trim();
      await ok(['rm', c]);
      return { named, anon };
    };
    const filters = (extra: Record<string, string[]> = {}) => encodeURIComponent(JSON.stringify({ label: [label], ...extra }));
    const deleted = (body: string): string[] => ((JSON.parse(body.toString()) as { VolumesDeleted: string[] | null }).VolumesDeleted ?? []).sort();

    let s = await setup();
    let r = await t().api('POST', `/v1.41/volumes/prune?filters=${filters()}`);
    assert.equal(r.status, 200, r.body.toString());
    assert.deepEqual(deleted(r.body), [s.anon, s.named].sort());

    if (newApi()) {
      s = await setup();
      r = await t().api('POST', `/v1.42/volumes/prune?filters=${filters()}`);
      assert.deepEqual(deleted(r.body), [s.anon]);
      r = await t().api('POST', `/volumes/prune?filters=${filters({ all: ['true'] })}`);
      assert.deepEqual(deleted(r.body), [s.named]);
    }

    // the CLI follows the negotiated version: `prune -f` keeps named volumes from 1.42 on
    s = await setup();
    const out = await ok(['volume', 'prune', '-f', '--filter', `label=${label}`]);
    const gone = newApi() ? [s.anon] : [s.anon, s.named].sort();
    assert.match(out, /^Deleted Volumes:\n/);
    assert.deepEqual(out.split('\n').slice(1, 1 + gone.length).sort(), gone);
    assert.match(out, /\n\nTotal reclaimed space: \S+\n$/);
    if (newApi()) {
      assert.equal(await ok(['volume', 'prune', '-f', '-a', '--filter', `label=${label}`]), `Deleted Volumes:\n${s.named}\n\nTotal reclaimed space: 0B\n`);
    }
    assert.equal(await ok(['volume', 'prune', '-f', '--filter', `label=${label}`]), 'Total reclaimed space: 0B\n');
  });

  test('local driver options: a tmpfs volume is mounted at first use and empty again after; a bind volume shows the host dir', async () => {
    const v = name('tmpfs');
    await ok(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=1m', v]);
    assert.equal(await ok(['volume', 'inspect', '-f', '{{json .Options}}', v]), '{"device":"tmpfs","o":"size=1m","type":"tmpfs"}\n');
    const mnt = await ok(['run', '--rm', ...NONE, '-v', `${v}:/t`, 'busybox', 'sh', '-c', 'grep " /t " /proc/mounts; echo x > /t/f']);
    assert.match(mnt, /^tmpfs \/t tmpfs rw,.*size=1024k/);
    assert.equal(await ok(['run', '--rm', ...NONE, '-v', `${v}:/t`, 'busybox', 'ls', '-A', '/t']), '');
    await ok(['volume', 'rm', v]);

    const dir = join(hostDir, 'bind-device');
    execFileSync('mkdir', ['-p', dir]);
    writeFileSync(join(dir, 'host-file'), 'host\n');
    const b = name('bindvol');
    await ok(['volume', 'create', '-o', 'type=none', '-o', 'o=bind', '-o', `device=${dir}`, b]);
    assert.equal(await ok(['run', '--rm', ...NONE, '-v', `${b}:/b`, 'busybox', 'sh', '-c', 'cat /b/host-file; echo from-ctr > /b/ctr']), 'host\n');
    assert.equal(readFileSync(join(dir, 'ctr'), 'utf8'), 'from-ctr\n');
    await ok(['volume', 'rm', b]);
    assert.equal(readFileSync(join(dir, 'host-file'), 'utf8'), 'host\n', 'removing the volume never touches the bound directory');

    const bad = name('baddev');
    await ok(['volume', 'create', '-o', 'type=none', '-o', 'o=bind', '-o', `device=${join(hostDir, 'nope')}`, bad]);
    const r = await dk(['run', '--rm', ...NONE, '-v', `${bad}:/b`, 'busybox', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /error while mounting volume '.*\/_data': failed to mount local volume: mount .*\/nope:.*\/_data, flags: 0x1000: no such file or directory/);
    await ok(['volume', 'rm', bad]);
  });

  test('volume events: create, mount, unmount, destroy', async () => {
    const v = name('ev');
    const since = Math.floor(Date.now() / 1000) - 1;
    await ok(['volume', 'create', v]);
    const id = (await ok(['run', '-d', ...NONE, '-v', `${v}:/d:ro`, 'busybox', 'true'])).trim();
    await ok(['wait', id]);
    await sleep(500);
    await ok(['rm', id]);
    await ok(['volume', 'rm', v]);
    const until = Math.floor(Date.now() / 1000) + 1;
    const ev = await ok(['events', '--since', String(since), '--until', String(until), '--filter', 'type=volume', '--filter', `volume=${v}`, '--format', '{{.Action}} {{json .Actor.Attributes}}']);
    const lines = ev.split('\n').filter(Boolean);
    const actions = lines.map((l) => l.split(' ')[0]).filter((a, i, all) => a !== all[i - 1]);
    assert.deepEqual(actions, ['create', 'mount', 'unmount', 'destroy'], ev);
    const mount = JSON.parse(lines.find((l) => l.startsWith('mount '))!.slice(6));
    assert.deepEqual(mount, { container: id, destination: '/d', driver: 'local', propagation: '', 'read/write': 'false' });
    assert.deepEqual(JSON.parse(lines.find((l) => l.startsWith('unmount '))!.slice(8)), { container: id, driver: 'local' });
  });

  test('system df -v: volume sizes are the bytes of the files, with link counts', async () => {
    const v = name('df');
    await ok(['run', '--rm', ...NONE, '-v', `${v}:/d`, 'busybox', 'sh', '-c', 'head -c 1000 /dev/zero > /d/a; mkdir /d/s; head -c 24 /dev/zero > /d/s/b; ln /d/a /d/hard']);
    const c = (await ok(['create', ...NONE, '-v', `${v}:/d`, 'busybox', 'true'])).trim();
    const df = await t().api('GET', '/system/df');
    const vol = (JSON.parse(df.body.toString()).Volumes as { Name: string; UsageData: { Size: number; RefCount: number } }[]).find((x) => x.Name === v)!;
    assert.deepEqual(vol.UsageData, { Size: 1024, RefCount: 1 });
    const table = await ok(['system', 'df', '-v']);
    assert.match(table, new RegExp(`^${v}\\s+1\\s+1\\.024kB$`, 'm'));
    await ok(['rm', c]);
    await ok(['volume', 'rm', v]);
  });

  test('binds: a single file onto a file, :ro, :z/:Z accepted, --mount type=bind', async () => {
    const file = join(hostDir, 'app.conf');
    writeFileSync(file, 'setting=1\n');
    assert.equal(await ok(['run', '--rm', ...NONE, '-v', `${file}:/etc/app.conf`, 'busybox', 'cat', '/etc/app.conf']), 'setting=1\n');
    const ro = await dk(['run', '--rm', ...NONE, '-v', `${file}:/etc/app.conf:ro`, 'busybox', 'sh', '-c', 'cat /etc/app.conf; echo x >> /etc/app.conf']);
    assert.equal(ro.stdout, 'setting=1\n');
    assert.match(ro.stderr, /Read-only file system/);
    assert.equal(readFileSync(file, 'utf8'), 'setting=1\n');
    await ok(['run', '--rm', ...NONE, '-v', `${file}:/new/dir/app.conf`, 'busybox', 'sh', '-c', 'echo 2 >> /new/dir/app.conf']);
    assert.equal(readFileSync(file, 'utf8'), 'setting=1\n2\n');
    assert.equal(await ok(['run', '--rm', ...NONE, '--mount', `type=bind,src=${file},dst=/c.conf,readonly`, 'busybox', 'cat', '/c.conf']), 'setting=1\n2\n');
    for (const mode of ['z', 'Z', 'ro,z']) {
      assert.equal(await ok(['run', '--rm', ...NONE, '-v', `${hostDir}:/h:${mode}`, 'busybox', 'cat', '/h/app.conf']), 'setting=1\n2\n');
    }
    const c = name('bindinspect');
    await ok(['create', '--name', c, ...NONE, '-v', `${file}:/etc/app.conf:ro`, '--mount', `type=bind,src=${hostDir},dst=/m`, 'busybox', 'true']);
    const mounts = JSON.parse(await ok(['inspect', '-f', '{{json .Mounts}}', c])).sort((a: { Destination: string }, b: { Destination: string }) => a.Destination.localeCompare(b.Destination));
    assert.deepEqual(mounts, [
      { Type: 'bind', Source: file, Destination: '/etc/app.conf', Mode: 'ro', RW: false, Propagation: 'rprivate' },
      { Type: 'bind', Source: hostDir, Destination: '/m', Mode: '', RW: true, Propagation: 'rprivate' },
    ]);
    await ok(['rm', c]);
  });

  test('bind propagation: rshared/rslave need a shared source (Docker\'s error); on a shared mount new host mounts show up', async () => {
    const priv = join(hostDir, 'private');
    execFileSync('mkdir', ['-p', priv]);
    for (const [mode, what] of [['rshared', 'a shared mount'], ['rslave', 'a shared or slave mount']] as const) {
      const r = await dk(['run', '--rm', ...NONE, '-v', `${priv}:/p:${mode}`, 'busybox', 'true']);
      assert.equal(r.code, 125);
      assert.match(r.stderr, new RegExp(`path ${priv} is mounted on \\S+ but it is not ${what}`));
    }
    const viaMount = await dk(['run', '--rm', ...NONE, '--mount', `type=bind,src=${priv},dst=/p,bind-propagation=rshared`, 'busybox', 'true']);
    assert.equal(viaMount.code, 125);
    assert.match(viaMount.stderr, /but it is not a shared mount/);

    const shared = join(hostDir, 'shared');
    execFileSync('mkdir', ['-p', shared]);
    execFileSync('mount', ['--bind', shared, shared]);
    execFileSync('mount', ['--make-shared', shared]);
    const c = name('prop');
    await ok(['run', '-d', '--name', c, ...NONE, '-v', `${shared}:/s:rshared`, '--mount', `type=bind,src=${shared},dst=/r,bind-propagation=rslave`, 'busybox', 'sleep', '60']);
    const mounts = JSON.parse(await ok(['inspect', '-f', '{{json .Mounts}}', c])).map((m: { Destination: string; Propagation: string; Mode: string }) => `${m.Destination} ${m.Propagation} ${m.Mode}`).sort();
    assert.deepEqual(mounts, ['/r rslave ', '/s rshared rshared']);
    execFileSync('mkdir', ['-p', join(shared, 'late')]);
    execFileSync('mount', ['-t', 'tmpfs', 'late', join(shared, 'late')]);
    try {
      const seen = await ok(['exec', c, 'sh', '-c', 'grep -c " /s/late " /proc/mounts; grep -c " /r/late " /proc/mounts']);
      assert.equal(seen, '1\n1\n');
    } finally {
      execFileSync('umount', [join(shared, 'late')]);
      await dk(['rm', '-f', c]);
    }
  });

  test('binds onto /proc are refused (runc\'s words), nothing is created there', async () => {
    const inside = await dk(['run', '--rm', ...NONE, '-v', `${hostDir}:/proc/sys/kernel/berth`, 'busybox', 'true']);
    assert.equal(inside.code, 125);
    assert.match(inside.stderr, /cannot be mounted because it is inside \/proc/);
    const onto = await dk(['run', '--rm', ...NONE, '-v', `${hostDir}:/proc`, 'busybox', 'true']);
    assert.equal(onto.code, 125);
    assert.match(onto.stderr, /cannot be mounted because it is not of type proc/);
  });

  test('docker cp into a volume: a tar that climbs out of it is refused, nothing lands outside', async () => {
    const v = name('cp');
    const c = name('cpc');
    await ok(['create', '--name', c, ...NONE, '-v', `${v}:/data`, 'busybox', 'true']);
    const good = await dk(['cp', '-', `${c}:/data`], await rawTar([{ name: 'in.txt', body: 'in\n' }]));
    assert.equal(good.code, 0, good.stderr);
    const volPath = (await ok(['volume', 'inspect', '-f', '{{.Mountpoint}}', v])).trim();
    if (!t().isDocker || existsSync(volPath)) assert.equal(readFileSync(join(volPath, 'in.txt'), 'utf8'), 'in\n');
    const escape = `berth-escape-${prefix}`;
    const bad = await dk(['cp', '-', `${c}:/data`], await rawTar([{ name: `../../../../../../../../tmp/${escape}`, body: 'out\n' }]));
    assert.notEqual(bad.code, 0);
    assert.equal(existsSync(join('/tmp', escape)), false);
    assert.equal(existsSync(join(volPath, '..', '..', escape)), false);
    await ok(['rm', c]);
    await ok(['volume', 'rm', v]);
  });

  test('docker cp with a stopped container reaches its volumes where they live; a tmpfs volume is a fresh tmpfs for the call', async () => {
    const named = name('cpn');
    const tmp = name('cpt');
    const c = name('cps');
    const dir = join(hostDir, 'cp-bind');
    execFileSync('mkdir', ['-p', dir]);
    await ok(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', tmp]);
    const since = Math.floor(Date.now() / 1000) - 1;
    await ok(['create', '--name', c, ...NONE, '-v', `${named}:/named`, '-v', `${tmp}:/tmp-vol`, '-v', `${dir}:/bound`, 'busybox', 'sh', '-c', 'cat /named/f /bound/f; ls -A /tmp-vol']);
    const file = await rawTar([{ name: 'f', body: 'copied\n' }]);
    for (const dest of ['/named', '/tmp-vol', '/bound']) {
      const r = await dk(['cp', '-', `${c}:${dest}`], file);
      assert.equal(r.code, 0, `cp into ${dest}: ${r.stderr}`);
    }
    const namedPath = (await ok(['volume', 'inspect', '-f', '{{.Mountpoint}}', named])).trim();
    if (!t().isDocker || existsSync(namedPath)) assert.equal(readFileSync(join(namedPath, 'f'), 'utf8'), 'copied\n');
    assert.equal(readFileSync(join(dir, 'f'), 'utf8'), 'copied\n');
    const tmpPath = (await ok(['volume', 'inspect', '-f', '{{.Mountpoint}}', tmp])).trim();
    if (!t().isDocker || existsSync(tmpPath)) assert.equal(existsSync(join(tmpPath, 'f')), false, 'nothing written into the unmounted _data');
    // Copied out again: the named volume's file, and the tmpfs volume's fresh root (mode 1777, empty).
    const out = await dk(['cp', `${c}:/named/f`, '-']);
    assert.match(out.stdout, /copied\n/);
    // (a tar of one empty directory is ASCII headers and NULs: intact through a UTF-8 string)
    const tmpList = execFileSync('tar', ['tv'], { input: Buffer.from((await dk(['cp', `${c}:/tmp-vol`, '-'])).stdout) }).toString();
    assert.match(tmpList, /^drwxrwxrwt \S+ +0 [^\n]* tmp-vol\/\n$/);
    const started = await dk(['start', '-a', c]);
    assert.equal(started.stdout, 'copied\ncopied\n', started.stderr);
    const until = Math.floor(Date.now() / 1000) + 1;
    const ev = await ok(['events', '--since', String(since), '--until', String(until), '--filter', 'type=volume', '--filter', `volume=${tmp}`, '--format', '{{.Action}}']);
    assert.match(ev, /^(create\n)*(mount\nunmount\n)+/, 'cp mounts the volume for the call, as dockerd does');
    await ok(['rm', c]);
    await ok(['volume', 'rm', named, tmp]);
  });
});

forEachTarget(
  'volumes across a berthd restart',
  (t) => {
    test('kill -9 of berthd: references are rebuilt, a running container keeps its tmpfs volume mounted until it stops', { timeout: 120_000 }, async () => {
      const d = t().daemon!;
      const dk = (args: string[]) => t().docker(args);
      assert.equal((await dk(['volume', 'create', 'rc-data'])).code, 0);
      assert.equal((await dk(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', 'rc-tmp'])).code, 0);
      const idle = (await dk(['create', '--network', 'none', '-v', 'rc-data:/d', 'busybox', 'true'])).stdout.trim();
      const run = await dk(['run', '-d', '--network', 'none', '-v', 'rc-tmp:/t', 'busybox', 'sh', '-c', 'echo alive > /t/f; sleep 300']);
      assert.equal(run.code, 0, run.stderr);
      const runId = run.stdout.trim();
      const tmpPath = (await dk(['volume', 'inspect', '-f', '{{.Mountpoint}}', 'rc-tmp'])).stdout.trim();
      await waitFor(() => existsSync(join(tmpPath, 'f')), 10_000);

      await d.kill9();
      await d.start();

      const rm = await dk(['volume', 'rm', 'rc-data']);
      assert.equal(rm.code, 1);
      assert.equal(rm.stderr.trim(), `Error response from daemon: remove rc-data: volume is in use - [${idle}]`);
      assert.equal((await dk(['volume', 'ls', '-q', '--filter', 'dangling=true'])).stdout, '');
      const prune = await t().api('POST', '/v1.41/volumes/prune');
      assert.equal(JSON.parse(prune.body.toString()).VolumesDeleted, null);
      assert.equal(readFileSync(join(tmpPath, 'f'), 'utf8'), 'alive\n', 'the tmpfs stays mounted for the running container');
      assert.equal((await dk(['exec', runId, 'cat', '/t/f'])).stdout, 'alive\n');

      assert.equal((await dk(['rm', '-f', runId])).code, 0);
      await waitFor(() => !readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${tmpPath} `), 10_000);
      assert.equal((await dk(['rm', idle])).code, 0);
      assert.equal((await dk(['volume', 'rm', 'rc-data', 'rc-tmp'])).stdout, 'rc-data\nrc-tmp\n');
    });
  },
  { only: ['berth'] },
);

forEachTarget(
  'berth volume CLI',
  (t) => {
    const both = async (args: string[], input?: string): Promise<{ berth: string; docker: string }> => {
      const b = await t().daemon!.berth(args, input === undefined ? {} : { input });
      const d = await t().docker(args, input === undefined ? {} : { input });
      assert.equal(b.code, d.code, `exit codes differ for ${args.join(' ')}: berth ${b.code} ${b.stderr} / docker ${d.code} ${d.stderr}`);
      assert.equal(b.stderr.replace(/\bberth\b/g, 'docker'), d.stderr, `stderr differs for ${args.join(' ')}`);
      return { berth: b.stdout, docker: d.stdout };
    };
    const same = async (args: string[], input?: string): Promise<string> => {
      const r = await both(args, input);
      assert.equal(r.berth, r.docker, `stdout differs for ${args.join(' ')}`);
      return r.berth;
    };

    test('berth volume create/ls/inspect/rm/prune print what docker prints', async () => {
      assert.equal((await t().daemon!.berth(['volume', 'create', '--label', 'b=2', '--label', 'a=1', '-o', 'type=tmpfs', '-o', 'device=tmpfs', 'cli-v1'])).stdout, 'cli-v1\n');
      assert.equal((await t().daemon!.berth(['volume', 'create', '--label', 'a=1', 'cli-v0'])).stdout, 'cli-v0\n');
      assert.equal((await t().daemon!.berth(['volume', 'create', '--name', 'cli-v2'])).stdout, 'cli-v2\n');
      const anon = (await t().daemon!.berth(['volume', 'create'])).stdout.trim();
      assert.match(anon, /^[0-9a-f]{64}$/);
      await same(['volume', 'ls']);
      await same(['volume', 'ls', '-q']);
      // (docker joins Labels in Go's random map order: only one-label volumes compare byte for byte)
      await same(['volume', 'ls', '-f', 'name=cli-v0', '--format', '{{json .}}']);
      await same(['volume', 'ls', '--format', 'table {{.Name}}\t{{.Label "a"}}\t{{.Scope}}\t{{.Links}}\t{{.Size}}\t{{.Driver}}']);
      await same(['volume', 'ls', '-f', 'name=cli-v0', '--format', 'table {{.Name}}\t{{.Labels}}']);
      await same(['volume', 'ls', '--format', 'raw']);
      await same(['volume', 'ls', '-f', 'label=a=1', '-f', 'dangling=true']);
      await same(['volume', 'ls', '-f', 'bogus']);
      await same(['volume', 'ls', 'extra']);
      await same(['volume', 'inspect', 'cli-v1']);
      await same(['volume', 'inspect', '--format', 'json', 'cli-v1', 'cli-v2']);
      await same(['volume', 'inspect', '-f', '{{.Name}} {{.Labels}} {{.Options}} {{json .Labels}}', 'cli-v1', 'cli-v2']);
      await same(['volume', 'inspect', 'cli-v1', 'nope']);
      await same(['volume', 'inspect']);
      await same(['volume', 'create', 'x/y']);
      await same(['volume', 'create', '--name', 'a1', 'a2']);
      await same(['volume', 'create', 'a1', 'a2']);
      const c = (await t().docker(['create', '--network', 'none', '-v', 'cli-v2:/d', 'busybox', 'true'])).stdout.trim();
      await same(['volume', 'rm', 'cli-v2', 'nope']);
      await same(['volume', 'prune', '-f', '-a', '--filter', 'all=1']);
      await same(['volume', 'prune'], 'n\n');
      await same(['volume', 'prune', '-a'], 'n\n');
      await t().docker(['rm', c]);
      const r = await t().daemon!.berth(['volume', 'prune', '-f']);
      assert.equal(r.stdout, `Deleted Volumes:\n${anon}\n\nTotal reclaimed space: 0B\n`);
      const all = await t().daemon!.berth(['volume', 'prune', '-f', '-a']);
      assert.equal(all.stdout, 'Deleted Volumes:\ncli-v0\ncli-v2\n\nTotal reclaimed space: 0B\n', 'volumes with driver options are never pruned');
      assert.equal((await t().daemon!.berth(['volume', 'rm', 'cli-v1'])).stdout, 'cli-v1\n');
    });

    test('berth run/create take -v, --mount, --volumes-from, --volume-driver like docker', async () => {
      const berth = (args: string[]) => t().daemon!.berth(args);
      assert.equal((await berth(['run', '--name', 'cli-src', '--network', 'none', '-v', 'cli-data:/data', '-v', '/anon', 'busybox', 'sh', '-c', 'echo hi > /data/f'])).code, 0);
      const inspect = (await berth(['inspect', '-f', '{{json .Config.Volumes}} {{json .HostConfig.Binds}}', 'cli-src'])).stdout;
      assert.equal(inspect, '{"/anon":{}} ["cli-data:/data"]\n');
      const r = await berth(['run', '--rm', '--network', 'none', '--volumes-from', 'cli-src:ro', '--volume-driver', 'local', 'busybox', 'sh', '-c', 'cat /data/f; touch /data/g']);
      assert.equal(r.stdout, 'hi\n');
      assert.match(r.stderr, /Read-only file system/);
      const m = await berth(['run', '--rm', '--network', 'none', '--mount', 'type=volume,src=cli-data,dst=/m,readonly', 'busybox', 'cat', '/m/f']);
      assert.equal(m.stdout, 'hi\n', m.stderr);
      assert.equal((await berth(['rm', '-v', 'cli-src'])).code, 0);
      assert.equal((await berth(['volume', 'rm', 'cli-data'])).stdout, 'cli-data\n');
    });
  },
  { only: ['berth'] },
);
