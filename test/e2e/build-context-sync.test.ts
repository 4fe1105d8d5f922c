/**
 * berth's incremental build context (src/api/context-sync.ts) through the berth CLI against a
 * private berthd: a second build sends only what changed, and every image equals one built
 * from the whole context (BERTH_BUILD_CONTEXT=tar, the docker CLI's way): the same image ID
 * when the cache is used, the same files (content, mode, owner, mtime) with --no-cache.
 * berth-only: Docker has no such endpoint (the berth CLI falls back to the whole tar there).
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BerthDaemon, uniq } from './harness.js';

describe('berth build: incremental context [private berthd]', () => {
  let d: BerthDaemon | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'berth-e2e-ctxsync-'));
  const tag = uniq('ctxsync');
  before(async () => {
    d = new BerthDaemon();
    await d.start();
    await d.loadBaseImage();
    mkdirSync(join(dir, 'data', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'Dockerfile'), 'FROM busybox\nCOPY data /data\nRUN cat /data/one > /copied\n');
    writeFileSync(join(dir, 'data', 'one'), 'one\n');
    writeFileSync(join(dir, 'data', 'two'), 'two\n');
    for (let i = 0; i < 50; i++) writeFileSync(join(dir, 'data', 'sub', `f${i}`), Buffer.alloc(4096, i));
  }, { timeout: 180_000 });
  after(async () => {
    if (d) {
      await d.docker(['rmi', '-f', tag, `${tag}-full`, `${tag}-inc`, `${tag}-nocache`]).catch(() => undefined);
      await d.teardown();
    }
    rmSync(dir, { recursive: true, force: true });
  }, { timeout: 120_000 });

  /** One berth build; the bytes it says it sent and the image ID. */
  const build = async (args: string[], env: Record<string, string> = {}): Promise<{ sent: string; id: string; out: string }> => {
    const r = await d!.berth(['build', '--network', 'none', ...args, dir], { env, timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const sent = /Sending build context to Docker daemon +(\S+)/.exec(r.stdout)?.[1] ?? '';
    const id = (await d!.docker(['image', 'inspect', '-f', '{{.Id}}', args[args.indexOf('-t') + 1]!])).stdout.trim();
    return { sent, id, out: r.stdout };
  };
  /** Everything under /data and /copied in an image: names, modes, owners, sizes, mtimes, contents. */
  const files = async (image: string): Promise<string> => {
    const r = await d!.docker(['run', '--rm', '--network', 'none', image, 'sh', '-c', 'cd /data && ls -laRn --full-time . | grep -v " \\.\\.\\?$"; find . -type f | sort | xargs md5sum; cat /copied']);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  /**
   * The directory sent whole: with the cache the same image ID; without it (both ways) the same
   * files. (With the cache an mtime-only change keeps the cached layer, as Docker's classic
   * builder does: its checksums leave mtimes out.)
   */
  const sameAsWhole = async (id: string): Promise<void> => {
    const whole = await build(['-t', `${tag}-full`], { BERTH_BUILD_CONTEXT: 'tar' });
    assert.equal(whole.id, id, 'the whole context hits the same cache entries');
    const inc = await build(['--no-cache', '-t', `${tag}-inc`]);
    assert.equal(inc.sent, '1.024kB', 'nothing changed since the previous build');
    await build(['--no-cache', '-t', `${tag}-nocache`], { BERTH_BUILD_CONTEXT: 'tar' });
    assert.equal(await files(`${tag}-inc`), await files(`${tag}-nocache`));
  };

  test('a second build sends nothing, a changed file alone is sent, each image as from the whole context', { timeout: 300_000 }, async () => {
    const first = await build(['-t', tag]);
    assert.match(first.sent, /^2\d\d\.\dkB$/, 'the first build sends every file');
    const warm = await build(['-t', tag]);
    assert.equal(warm.sent, '1.024kB', 'an unchanged context sends only the end of the tar');
    assert.equal(warm.id, first.id);
    assert.equal((warm.out.match(/Using cache/g) ?? []).length, 2);
    writeFileSync(join(dir, 'data', 'one'), 'ONE\n');
    const changed = await build(['-t', tag]);
    assert.equal(changed.sent, '2.048kB', 'one header, 4 bytes padded to a block, the end of the tar');
    assert.notEqual(changed.id, first.id);
    assert.match(await files(tag), /\nONE\n$/);
    await sameAsWhole(changed.id);
  });

  test('the endpoint refuses paths outside the context; an unknown session is 409 (the CLI then sends the whole tar)', { timeout: 60_000 }, async () => {
    const line = (path: string): unknown[] => [path, 'f', 0o644, 1, '1', 0, 0, '1', '1'];
    for (const path of ['../etc/passwd', '/etc/passwd', 'a/../../b']) {
      const r = await d!.api('POST', '/v1.43/berth/build/context', { id: 'e2e', entries: [line(path)] });
      assert.equal(r.status, 400, path);
      assert.match(r.body, /outside of the build context/);
    }
    const ok = await d!.api('POST', '/berth/build/context', { id: 'e2e', entries: [line('Dockerfile')] });
    assert.equal(ok.status, 200);
    assert.deepEqual(Object.keys(ok.json() as object).sort(), ['need', 'session']);
    const gone = await d!.api('POST', '/build?berthcontext=nope', Buffer.alloc(1024));
    assert.equal(gone.status, 409);
    assert.match(gone.body, /unknown or expired/);
  });

  test('a deleted file, a file turned into a symlink, a .dockerignore change, a mode-only and an mtime-only change', { timeout: 300_000 }, async () => {
    const steps: [string, string, () => void][] = [
      ['delete', '1.024kB', () => rmSync(join(dir, 'data', 'two'))],
      ['symlink', '1.024kB', () => {
        rmSync(join(dir, 'data', 'sub', 'f1'));
        symlinkSync('f2', join(dir, 'data', 'sub', 'f1'));
      }],
      ['dockerignore', '2.048kB', () => writeFileSync(join(dir, '.dockerignore'), 'data/sub/f3*\n')],
      ['mode', '5.632kB', () => chmodSync(join(dir, 'data', 'sub', 'f4'), 0o700)],
      ['mtime', '5.632kB', () => utimesSync(join(dir, 'data', 'sub', 'f5'), new Date('2001-02-03T04:05:06Z'), new Date('2001-02-03T04:05:06Z'))],
    ];
    await build(['-t', tag]);
    for (const [name, sent, change] of steps) {
      change();
      const r = await build(['-t', tag]);
      assert.equal(r.sent, sent, `${name}: what was sent`);
      await sameAsWhole(r.id);
    }
    const listing = await files(`${tag}-inc`);
    assert.doesNotMatch(listing, / two$/m);
    assert.match(listing, /^l.* f1 -> f2$/m);
    assert.doesNotMatch(listing, / f3\d*$/m);
    assert.match(listing, /^-rwx------ .* f4$/m);
    assert.match(listing, /2001-02-03 04:05:06 \+0000 f5$/m);
  });
});
