import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import { BASE_IMAGE, DOCKER_CLI, forEachTarget, runCommand, runInPty, uniq, waitFor } from './harness.js';
import type { Target } from './harness.js';
import { BERTH_JS } from './lib/paths.js';

/** What the stopped container does: a file added (hard- and symlinked), one deleted, a directory replaced, one made. */
const SCRIPT = 'echo hi >/new && rm /bin/vi && rm -rf /home && mkdir /home && echo x >/home/f && mkdir -p /a/b && ln /new /newlink && ln -s /new /newsym';

/** Entries dockerd keeps in a container's init layer (berth's runtime makes them as mount points). */
const isInitPath = (n: string): boolean => n === '.dockerenv' || n.startsWith('dev/') || ['etc/hostname', 'etc/hosts', 'etc/resolv.conf', 'etc/mtab'].includes(n);

async function tarEntries(tar: Buffer): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const ex = tarStream.extract();
  Readable.from([tar]).pipe(ex);
  for await (const e of ex) {
    const chunks: Buffer[] = [];
    for await (const c of e) chunks.push(c as Buffer);
    out.set(e.header.name, Buffer.concat(chunks));
  }
  return out;
}

async function tarNames(tar: Buffer): Promise<string[]> {
  return [...(await tarEntries(tar)).keys()];
}

interface ImageJson {
  Id: string;
  Parent: string;
  Comment: string;
  Author: string;
  Container: string;
  ContainerConfig: { Cmd: string[] | null; Hostname: string };
  Config: { Cmd: string[] | null; Env: string[] | null; Labels: Record<string, string> | null; Hostname: string; Image: string };
  RootFS: { Layers: string[] };
}

forEachTarget('docker commit / export', (t) => {
  const stopped = uniq('cm-stopped');
  const running = uniq('cm-running');
  const fresh = uniq('cm-fresh');
  const labeled = uniq('cm-labeled');
  const reimported = uniq('cm-reimported');
  const img = uniq('cm-img');
  let work = '';
  let base: ImageJson;

  const ok = async (args: string[]): Promise<string> => {
    const r = await t().docker(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const image = async (ref: string): Promise<ImageJson> => (JSON.parse(await ok(['image', 'inspect', ref])) as ImageJson[])[0]!;
  const binary = (tg: Target, args: string[]) => runCommand('sh', ['-c', `${DOCKER_CLI} ${args.join(' ')}`], { env: { ...process.env, ...tg.env() } });

  /** Names in the last layer of `ref`, from `docker save`. */
  async function lastLayer(ref: string): Promise<string[]> {
    const file = join(work, `${ref.replace(/[^a-z0-9]/g, '_')}.tar`);
    await ok(['save', '-o', file, ref]);
    const files = await tarEntries(readFileSync(file));
    const manifest = JSON.parse(files.get('manifest.json')!.toString()) as { Layers: string[] }[];
    return tarNames(files.get(manifest[0]!.Layers.at(-1)!)!);
  }

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'berth-commit-e2e-'));
    await ok(['run', '--network', 'none', '--name', stopped, BASE_IMAGE, 'sh', '-c', SCRIPT]);
    base = await image(BASE_IMAGE);
  });
  after(async () => {
    try {
      await t().docker(['rm', '-f', stopped, running, fresh, labeled, reimported]);
      const imgs = await t().docker(['images', '-q', '--filter', `reference=${img}*`]);
      const ids = [...new Set(imgs.stdout.split('\n').filter(Boolean))];
      if (ids.length) await t().docker(['rmi', '-f', ...ids]);
    } catch {
      // target already torn down
    }
    rmSync(work, { recursive: true, force: true });
  });

  test('commit of a stopped container: -a, -m, --change; config, parent and rootfs as Docker writes them', async () => {
    const out = await ok(['commit', '-a', 'me', '-m', 'msg', '--change', 'CMD ["cat","/new"]', '--change', 'ENV A=b', stopped, `${img}:1`]);
    assert.match(out, /^sha256:[0-9a-f]{64}\n$/);
    const ins = await image(`${img}:1`);
    const ctr = JSON.parse(await ok(['container', 'inspect', stopped])) as { Id: string; Config: { Hostname: string } }[];
    assert.equal(ins.Id, out.trim());
    assert.deepEqual(ins.Config.Cmd, ['cat', '/new']);
    assert.ok(ins.Config.Env?.includes('A=b'), JSON.stringify(ins.Config.Env));
    assert.deepEqual([ins.Author, ins.Comment, ins.Parent, ins.Container], ['me', 'msg', base.Id, ctr[0]!.Id]);
    assert.deepEqual(ins.ContainerConfig.Cmd, ['sh', '-c', SCRIPT]);
    assert.equal(ins.Config.Hostname, ctr[0]!.Config.Hostname);
    assert.equal(ins.Config.Image, BASE_IMAGE);
    assert.equal(ins.RootFS.Layers.length, base.RootFS.Layers.length + 1);
    assert.deepEqual(ins.RootFS.Layers.slice(0, -1), base.RootFS.Layers);
  });

  test('the new layer: whiteout for the deleted file, opaque marker for the replaced directory, links kept', async () => {
    assert.deepEqual(await lastLayer(`${img}:1`), ['a/', 'a/b/', 'bin/', 'bin/.wh.vi', 'home/', 'home/.wh..wh..opq', 'home/f', 'new', 'newlink', 'newsym']);
  });

  test('history: the commit entry on top of the parent image', async () => {
    const ins = await image(`${img}:1`);
    const h = await ok(['history', '--no-trunc', '--format', '{{.ID}}|{{.CreatedBy}}|{{.Comment}}', `${img}:1`]);
    assert.deepEqual(h.trim().split('\n'), [`${ins.Id}|sh -c ${SCRIPT}|msg`, `${base.Id}||Imported from -`]);
  });

  test('the committed image runs and sees the changes', async () => {
    assert.equal(await ok(['run', '--rm', '--network', 'none', `${img}:1`]), 'hi\n');
    const r = await ok(['run', '--rm', '--network', 'none', `${img}:1`, 'sh', '-c', 'test ! -e /bin/vi && ls -A /home && readlink /newsym && stat -c %h /new && test -d /a/b && echo $A']);
    assert.equal(r, 'f\n/new\n2\nb\n');
  });

  test('commit of a running container: paused meanwhile and running after; --pause=false too', async () => {
    await ok(['run', '-d', '--network', 'none', '--name', running, BASE_IMAGE, 'sh', '-c', 'echo run >/r && rm -rf /tmp && mkdir /tmp && touch /tmp/new && sleep 300']);
    const ready = await waitFor(async () => (await t().docker(['exec', running, 'test', '-e', '/tmp/new'])).code === 0, 20_000);
    assert.ok(ready, 'the container did not write its files');
    const id = (await ok(['commit', running, `${img}:running`])).trim();
    const state = JSON.parse(await ok(['container', 'inspect', '--format', '{{json .State}}', running])) as { Running: boolean; Paused: boolean };
    assert.deepEqual([state.Running, state.Paused], [true, false]);
    assert.equal(await ok(['run', '--rm', '--network', 'none', id, 'sh', '-c', 'cat /r; ls -A /tmp']), 'run\nnew\n');
    const nopause = await ok(['commit', '--pause=false', running, `${img}:nopause`]);
    assert.match(nopause, /^sha256:/);
    assert.deepEqual(await lastLayer(`${img}:running`), ['r', 'tmp/', 'tmp/.wh..wh..opq', 'tmp/new']);
  });

  test('commit without changes adds no layer, only a history entry', async () => {
    await ok(['run', '--network', 'none', '--name', fresh, BASE_IMAGE, 'true']);
    const id = (await ok(['commit', fresh])).trim();
    const ins = await image(id);
    assert.deepEqual(ins.RootFS.Layers, base.RootFS.Layers);
    const h = await ok(['history', '--format', '{{.CreatedBy}}|{{.Size}}', id]);
    assert.equal(h.split('\n')[0], 'true|0B');
  });

  test('POST /commit with a config body: dockerd merge with the container config', async () => {
    await ok(['run', '--network', 'none', '--name', labeled, '-e', 'K=v', '-l', 'lab=1', BASE_IMAGE, 'sh', '-c', 'echo > /z']);
    const res = await t().api('POST', `/commit?container=${labeled}&repo=${img}&tag=api&changes=ENV%20Q%3D1`, { Cmd: ['echo', 'x'], Labels: { b: '2' } });
    assert.equal(res.status, 201, res.body);
    const { Id } = res.json<{ Id: string }>();
    const ins = await image(`${img}:api`);
    assert.equal(ins.Id, Id);
    assert.deepEqual(ins.Config.Env, ['Q=1', 'K=v']);
    assert.deepEqual(ins.Config.Cmd, ['echo', 'x']);
    assert.deepEqual(ins.Config.Labels, { b: '2', lab: '1' });
    assert.equal(ins.Config.Hostname, '');
    const missing = await t().api('POST', '/commit?container=cm-nosuch-x1');
    assert.deepEqual([missing.status, missing.json<{ message: string }>().message], [404, 'No such container: cm-nosuch-x1']);
    const digest = await t().api('POST', `/commit?container=${labeled}&repo=a@sha256:${'0'.repeat(64)}`);
    assert.deepEqual([digest.status, digest.json<{ message: string }>().message], [400, 'refusing to create a tag with a digest reference']);
  });

  test('bad input: a missing container, changes Docker refuses', async () => {
    const missing = await t().docker(['commit', 'cm-nosuch-x1']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr.trim(), 'Error response from daemon: No such container: cm-nosuch-x1');
    for (const [change, msg] of [
      ['FOO bar', 'foo is not a valid change command'],
      ['RUN true', 'run is not a valid change command'],
      ['ENV A', 'ENV must have two arguments'],
      ['EXPOSE abc', 'Invalid containerPort: abc'],
      ['', 'file with no instructions'],
    ]) {
      const r = await t().docker(['commit', '-c', change!, stopped]);
      assert.equal(r.code, 1, change);
      assert.equal(r.stderr.trim(), `Error response from daemon: ${msg}`);
    }
  });

  test('export | import round trip keeps the file list', async () => {
    const file = join(work, 'stopped.tar');
    await ok(['export', '-o', file, stopped]);
    const names = await tarNames(readFileSync(file));
    for (const n of ['new', 'newlink', 'newsym', 'home/f', 'a/b/', 'bin/busybox', 'etc/passwd']) assert.ok(names.includes(n), `${n} missing from the export`);
    for (const n of ['bin/vi', 'bin/.wh.vi', 'home/.wh..wh..opq']) assert.ok(!names.includes(n), `${n} in the export`);
    assert.ok(!names.some((n) => n.startsWith('./') || n.startsWith('/')), 'names are relative, without ./');
    const piped = await binary(t(), ['export', stopped, '|', DOCKER_CLI, 'import', '-', `${img}:rt`]);
    assert.equal(piped.code, 0, piped.stderr);
    await ok(['create', '--network', 'none', '--name', reimported, `${img}:rt`, 'true']);
    const again = join(work, 'reimported.tar');
    await ok(['export', '-o', again, reimported]);
    const names2 = await tarNames(readFileSync(again));
    assert.deepEqual(names2.filter((n) => !isInitPath(n)).sort(), names.filter((n) => !isInitPath(n)).sort());
    assert.equal(await ok(['run', '--rm', '--network', 'none', `${img}:rt`, 'cat', '/new', '/home/f']), 'hi\nx\n');
  });

  test('export of a running container: the live filesystem', async () => {
    const r = await binary(t(), ['export', running, '|', 'tar', 'tf', '-', 'r', 'tmp/new']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'r\ntmp/new\n');
    const missing = await t().docker(['export', 'cm-nosuch-x1']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No such container: cm-nosuch-x1/);
  });

  test('commit and export events on the container', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    const id = (await ok(['commit', '-m', 'ev', stopped, `${img}:ev`])).trim();
    await ok(['export', '-o', join(work, 'ev.tar'), stopped]);
    const until = Math.floor(Date.now() / 1000) + 1;
    const ev = await ok(['events', '--since', String(since), '--until', String(until), '--filter', `container=${stopped}`, '--format', '{{.Action}} {{json .Actor.Attributes}}']);
    const lines = ev.trim().split('\n');
    const commit = lines.find((l) => l.startsWith('commit '));
    assert.ok(commit, ev);
    const attrs = JSON.parse(commit.slice('commit '.length)) as Record<string, string>;
    assert.deepEqual([attrs.comment, attrs.imageID, attrs.imageRef, attrs.name], ['ev', id, `${img}:ev`, stopped]);
    assert.ok(lines.some((l) => l.startsWith('export ')), ev);
  });

  test('export refuses to write to a terminal', async () => {
    const r = await runInPty(`${DOCKER_CLI} export ${stopped}`, { env: t().env() });
    assert.notEqual(r.code, 0);
    assert.match(r.stdout + r.stderr, /cowardly refusing to save to a terminal\. Use the -o flag or redirect/);
  });
});

forEachTarget(
  'berth commit / export',
  (t) => {
    const name = uniq('bc-ctr');
    let work = '';
    const berth = (args: string[]) => t().daemon!.berth(args);
    before(async () => {
      work = mkdtempSync(join(tmpdir(), 'berth-commit-cli-'));
      const r = await t().docker(['run', '--network', 'none', '--name', name, BASE_IMAGE, 'sh', '-c', 'echo cli >/cli && rm /bin/vi']);
      assert.equal(r.code, 0, r.stderr);
    });
    after(() => rmSync(work, { recursive: true, force: true }));

    test('berth commit -a -c -m prints the image ID; the image runs', async () => {
      const r = await berth(['commit', '-a', 'ann', '-c', 'CMD ["cat","/cli"]', '-c', 'ENV A=b', '-m', 'from berth', name, 'bc-img:1']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);
      const ins = JSON.parse((await t().docker(['image', 'inspect', 'bc-img:1'])).stdout) as ImageJson[];
      assert.deepEqual([ins[0]!.Id, ins[0]!.Author, ins[0]!.Comment, ins[0]!.Config.Env], [r.stdout.trim(), 'ann', 'from berth', ['A=b']]);
      assert.equal((await t().docker(['run', '--rm', '--network', 'none', 'bc-img:1'])).stdout, 'cli\n');
      const p = await berth(['container', 'commit', '--pause=false', name]);
      assert.equal(p.code, 0, p.stderr);
      const bad = await berth(['commit', '-c', 'FOO x', name]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /foo is not a valid change command/);
      const missing = await berth(['commit', 'bc-nosuch-1']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /No such container: bc-nosuch-1/);
    });

    test('berth export -o and to a pipe give the same tar; a terminal is refused', async () => {
      const file = join(work, 'o.tar');
      const o = await berth(['export', '-o', file, name]);
      assert.equal(o.code, 0, o.stderr);
      const piped = await runCommand('sh', ['-c', `${process.execPath} ${BERTH_JS} container export ${name} > ${work}/p.tar`], { env: { ...process.env, ...t().env() } });
      assert.equal(piped.code, 0, piped.stderr);
      const a = await tarNames(readFileSync(file));
      assert.deepEqual(await tarNames(readFileSync(join(work, 'p.tar'))), a);
      assert.ok(a.includes('cli') && !a.includes('bin/vi'));
      const tty = await runInPty(`${process.execPath} ${BERTH_JS} export ${name}`, { env: t().env() });
      assert.equal(tty.code, 1);
      assert.match(tty.stdout + tty.stderr, /cowardly refusing to save to a terminal\. Use the -o flag or redirect/);
    });
  },
  { only: ['berth'] },
);
