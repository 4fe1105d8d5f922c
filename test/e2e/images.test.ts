import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseRootfsTar, forEachTarget, uniq, type Target } from './harness.js';

async function imageId(t: Target, ref: string): Promise<string> {
  const r = await t.docker(['image', 'inspect', '--format', '{{.Id}}', ref]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
}

async function importAs(t: Target, ref: string): Promise<string> {
  const r = await t.docker(['import', '-c', 'CMD ["sh"]', '-', ref], { input: readFileSync(baseRootfsTar()) });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
  return r.stdout.trim();
}

forEachTarget('images', (t) => {
  test('images lists busybox:latest; image inspect has the shape', async () => {
    const r = await t().docker(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^busybox:latest [0-9a-f]{12}$/m);
    const ins = JSON.parse((await t().docker(['image', 'inspect', 'busybox'])).stdout)[0];
    assert.match(ins.Id, /^sha256:[0-9a-f]{64}$/);
    assert.ok(ins.RepoTags.includes('busybox:latest'));
    assert.equal(ins.Os, 'linux');
    assert.equal(ins.Architecture, 'amd64');
    assert.deepEqual(ins.Config.Cmd, ['sh']);
    assert.equal(ins.RootFS.Type, 'layers');
    assert.equal(ins.RootFS.Layers.length, 1);
    assert.match(ins.RootFS.Layers[0], /^sha256:[0-9a-f]{64}$/);
    assert.equal(typeof ins.Size, 'number');
    assert.equal(ins.GraphDriver.Name, 'overlay2');
  });

  test('tag adds a reference to the same id; rmi of a tag only untags', async () => {
    const ref = `${uniq('tagged')}:v1`;
    assert.equal((await t().docker(['tag', 'busybox', ref])).code, 0);
    assert.equal(await imageId(t(), ref), await imageId(t(), 'busybox'));
    const r = await t().docker(['rmi', ref]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `Untagged: ${ref}\n`);
    assert.equal((await t().docker(['image', 'inspect', 'busybox'])).code, 0);
  });

  test('rmi refuses while a container uses the image; -f removes it', async () => {
    const ref = `${uniq('inuse')}:1`;
    const id = await importAs(t(), ref);
    const c = (await t().docker(['create', ref, 'true'])).stdout.trim();
    const r = await t().docker(['rmi', ref]);
    assert.equal(r.code, 1);
    assert.ok(
      r.stderr.includes(`conflict: unable to remove repository reference "${ref}" (must force) - container ${c.slice(0, 12)} is using its referenced image ${id.slice(7, 19)}`),
      r.stderr,
    );
    const f = await t().docker(['rmi', '-f', ref]);
    assert.equal(f.code, 0, f.stderr);
    assert.match(f.stdout, new RegExp(`^Untagged: ${ref}$`, 'm'));
    assert.notEqual((await t().docker(['image', 'inspect', ref])).code, 0);
    await t().docker(['rm', c]);
  });

  test('history shows the import', async () => {
    const r = await t().docker(['history', '--no-trunc', '--format', '{{.ID}}|{{.Comment}}', 'busybox']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    assert.equal(lines[0], `${await imageId(t(), 'busybox')}|Imported from -`);
  });

  test('save | load round-trips with equal ids (file and stdin)', async () => {
    const ref = `${uniq('rt')}:1`;
    const id = await importAs(t(), ref);
    const dir = mkdtempSync(join(tmpdir(), 'berth-e2e-save-'));
    try {
      const file = join(dir, 'img.tar');
      const s = await t().docker(['save', '-o', file, ref]);
      assert.equal(s.code, 0, s.stderr);
      assert.ok(statSync(file).size > 1_000_000);
      assert.equal((await t().docker(['rmi', ref])).code, 0);
      const l = await t().docker(['load', '-i', file]);
      assert.equal(l.code, 0, l.stderr);
      assert.match(l.stdout, new RegExp(`Loaded image: ${ref}`));
      assert.equal(await imageId(t(), ref), id);
      assert.equal((await t().docker(['rmi', ref])).code, 0);
      const l2 = await t().docker(['load'], { input: readFileSync(file) });
      assert.equal(l2.code, 0, l2.stderr);
      assert.equal(await imageId(t(), ref), id);
      const run = await t().docker(['run', '--rm', ref, 'echo', 'loaded']);
      assert.equal(run.stdout, 'loaded\n', run.stderr);
      const piped = await t().docker(['save', ref]);
      assert.equal(piped.code, 0, piped.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await t().docker(['rmi', '-f', ref]);
    }
  });

  test('import from a file and from stdin, with -c and -m', async () => {
    const fromFile = `${uniq('impf')}:1`;
    const r = await t().docker(['import', '-m', 'from file', '-c', 'ENV X=1', '-c', 'CMD ["sh","-c","echo $X"]', baseRootfsTar(), fromFile]);
    assert.equal(r.code, 0, r.stderr);
    const run = await t().docker(['run', '--rm', fromFile]);
    assert.equal(run.stdout, '1\n', run.stderr);
    const comment = await t().docker(['image', 'inspect', '--format', '{{.Comment}}', fromFile]);
    assert.equal(comment.stdout.trim(), 'from file');
    const fromStdin = `${uniq('imps')}:1`;
    await importAs(t(), fromStdin);
    const run2 = await t().docker(['run', '--rm', fromStdin, 'echo', 'ok']);
    assert.equal(run2.stdout, 'ok\n', run2.stderr);
    await t().docker(['rmi', fromFile, fromStdin]);
  });

  test('rmi of an unknown image uses Docker\'s wording', async () => {
    const r = await t().docker(['rmi', 'nosuchimage-e2e:1']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /No such image: nosuchimage-e2e:1/);
  });
});
