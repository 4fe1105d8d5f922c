import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachTarget, uniq, type Target } from './harness.js';
import { dockerArchive, type TarEntry } from './lib/archives.js';

const UP = '../'.repeat(12);

async function allImageIds(t: Target): Promise<string> {
  const r = await t.docker(['images', '-a', '-q', '--no-trunc']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).sort().join(',');
}

/** Load a hostile archive; assert it fails, images are unchanged and `outside` gained nothing. */
async function loadMustFail(t: Target, layer: (outside: string) => TarEntry[], requireError = true): Promise<void> {
  const outside = mkdtempSync(join(tmpdir(), 'berth-e2e-outside-'));
  const victim = join(outside, 'victim');
  writeFileSync(victim, 'original\n');
  try {
    const before = await allImageIds(t);
    const ref = `${uniq('evil')}:1`;
    const archive = await dockerArchive(ref, layer(outside));
    const r = await t.docker(['load'], { input: archive });
    assert.deepEqual(readdirSync(outside), ['victim'], `something was written outside the store: ${readdirSync(outside).join(' ')}`);
    assert.equal(readFileSync(victim, 'utf8'), 'original\n');
    assert.equal(statSync(victim).nlink, 1, 'a hard link to a host file was created');
    if (requireError || r.code !== 0) {
      assert.notEqual(r.code, 0, `hostile load succeeded: ${r.stdout}`);
      assert.equal(await allImageIds(t), before, 'images changed after a failed load');
      assert.notEqual((await t.docker(['image', 'inspect', ref])).code, 0);
    } else {
      await t.docker(['rmi', '-f', ref]);
    }
  } finally {
    rmSync(outside, { recursive: true, force: true });
  }
}

forEachTarget('hostile image archives', (t) => {
  test('a layer entry with ../ in its path writes nothing outside (berth refuses it)', async () => {
    // Docker 20.10 clamps such names into the layer root and loads; berth must refuse.
    await loadMustFail(t(), (outside) => [{ name: `${UP}${outside.slice(1)}/dotdot`, body: 'pwned\n' }], !t().isDocker);
  });

  test('an absolute symlink then a write through it stays inside (berth refuses the archive)', async () => {
    await loadMustFail(
      t(),
      (outside) => [
        { name: 'escape', type: 'symlink', linkname: outside },
        { name: 'escape/through-symlink', body: 'pwned\n' },
      ],
      !t().isDocker,
    );
  });

  test('a relative symlink climbing out then a write through it stays inside', async () => {
    await loadMustFail(
      t(),
      (outside) => [
        { name: 'up', type: 'symlink', linkname: `${UP}${outside.slice(1)}` },
        { name: 'up/through-relative', body: 'pwned\n' },
      ],
      !t().isDocker,
    );
  });

  test('a hard link to a file outside the layer is refused', async () => {
    await loadMustFail(t(), (outside) => [{ name: 'hl', type: 'link', linkname: `${UP}${outside.slice(1)}/victim` }]);
  });

  test('a manifest pointing outside the archive is refused', async () => {
    const before = await allImageIds(t());
    const { tarBuffer } = await import('./lib/archives.js');
    const bad = await tarBuffer([
      { name: 'manifest.json', body: JSON.stringify([{ Config: '../../../etc/passwd', RepoTags: ['evil-manifest:1'], Layers: ['../../../etc/hostname'] }]) },
    ]);
    const r = await t().docker(['load'], { input: bad });
    assert.notEqual(r.code, 0, r.stdout);
    assert.equal(await allImageIds(t()), before);
  });

  test('a truncated archive is refused and leaves nothing', async () => {
    const before = await allImageIds(t());
    const good = await dockerArchive(`${uniq('trunc')}:1`, [{ name: 'f', body: Buffer.alloc(200_000, 'a') }]);
    const r = await t().docker(['load'], { input: good.subarray(0, 100_000) });
    assert.notEqual(r.code, 0, r.stdout);
    assert.equal(await allImageIds(t()), before);
  });

  test('sanity: a well-formed archive built the same way loads', async () => {
    const ref = `${uniq('good')}:1`;
    const r = await t().docker(['load'], {
      input: await dockerArchive(ref, [{ name: 'dir/', type: 'directory' }, { name: 'dir/file', body: 'ok\n' }, { name: 'ln', type: 'symlink', linkname: '/dir/file' }]),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Loaded image: ${ref}`));
    assert.ok(existsSync(tmpdir()));
    await t().docker(['rmi', ref]);
  });
});
