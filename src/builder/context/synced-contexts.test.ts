import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { manifestOf, packContext, planContext } from '../../cli/commands/image/build-context.js';
import type { BuildContext } from './build-context.js';
import { receiveContext } from './receive-context.js';
import { manifestDigest, SyncedContexts, type SyncedContextsOptions } from './synced-contexts.js';
import { makeTar } from './test-tars.js';

/**
 * berth's incremental context end to end without HTTP: the CLI's plan/manifest/delta
 * (src/cli/commands/image/build-context.ts) against SyncedContexts, every result compared
 * with what the whole tar of the same directory gives (receiveContext).
 */
interface Fixture {
  dir: string;
  workDir: string;
  synced: SyncedContexts;
  /** One incremental build as the CLI does it (digest first): the paths it sent, whether the digest sufficed, the index it got. */
  sync(id?: string): Promise<{ sent: string[]; view: unknown; byDigest: boolean }>;
  /** The same directory sent whole. */
  full(): Promise<unknown>;
}

async function view(ctx: BuildContext): Promise<unknown> {
  try {
    const entries = [];
    for (const e of ctx.list()) {
      let content: string | undefined;
      if (e.type === 'file') {
        const parts: Buffer[] = [];
        for await (const c of ctx.open(e.path)) parts.push(c);
        content = Buffer.concat(parts).toString('latin1');
      }
      const { path, type, mode, uid, gid, size, mtimeMs, linkname } = e;
      entries.push({ path, type, mode, uid, gid, size, mtimeMs, linkname, content });
    }
    return { entries, digest: (await ctx.sourceDigest('')).digest, dockerfile: ctx.dockerfile };
  } finally {
    await ctx.dispose();
  }
}

async function withFixture(fn: (f: Fixture) => Promise<void>, options: SyncedContextsOptions = {}): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), 'berth-synced-test-'));
  const dir = join(base, 'ctx');
  const workDir = join(base, 'work');
  await mkdir(join(dir, 'a', 'sub'), { recursive: true });
  await writeFile(join(dir, 'Dockerfile'), 'FROM busybox\nCOPY . /ctx\n');
  await writeFile(join(dir, 'a', 'one'), 'one\n');
  await writeFile(join(dir, 'a', 'sub', 'two'), Buffer.alloc(3000, 2));
  await writeFile(join(dir, 'b'), 'b\n');
  await writeFile(join(dir, 'empty'), '');
  await symlink('a/one', join(dir, 'link'));
  const synced = new SyncedContexts(join(base, 'synced'), options);
  const f: Fixture = {
    dir,
    workDir,
    synced,
    async sync(id = 'ctx-1') {
      const plan = planContext(dir, 'Dockerfile');
      const entries = manifestOf(plan);
      let r = synced.sync({ id, digest: manifestDigest(entries) });
      const byDigest = r.session !== undefined;
      if (!byDigest) r = synced.sync({ id, entries });
      const ctx = await synced.assemble(r.session!, packContext(plan, r.need!).tar, { workDir });
      return { sent: r.need!.map((i) => plan.entries[i]!.path), view: await view(ctx), byDigest };
    },
    async full() {
      return view(await receiveContext(packContext(planContext(dir, 'Dockerfile')).tar, { workDir }));
    },
  };
  try {
    await fn(f);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

/** An incremental build sends `sent` and gives exactly the whole tar's index. */
async function expectSync(f: Fixture, sent: string[]): Promise<void> {
  const got = await f.sync();
  assert.deepEqual(got.sent, sent);
  assert.deepEqual(got.view, await f.full());
}

test('the first build sends every file, later ones only what changed, each the same index as the whole tar', async () => {
  await withFixture(async (f) => {
    await expectSync(f, ['Dockerfile', 'a/one', 'a/sub/two', 'b', 'empty']);
    await expectSync(f, []);
    await writeFile(join(f.dir, 'a', 'sub', 'two'), Buffer.alloc(3000, 7));
    await expectSync(f, ['a/sub/two']);
    assert.deepEqual(await readdir(f.workDir), [], 'each build\'s private directory is gone after dispose');
  });
});

test('an unchanged manifest is recognised by its digest alone, and the index reused gives the same context', async () => {
  await withFixture(async (f) => {
    assert.deepEqual(f.synced.sync({ id: 'ctx-1', digest: 'sha256:00' }), {}, 'nothing kept yet: send the manifest');
    assert.equal((await f.sync()).byDigest, false);
    for (let i = 0; i < 2; i++) {
      const again = await f.sync();
      assert.equal(again.byDigest, true);
      assert.deepEqual(again.sent, []);
      assert.deepEqual(again.view, await f.full());
    }
    await writeFile(join(f.dir, 'b'), 'changed\n');
    const changed = await f.sync();
    assert.equal(changed.byDigest, false);
    assert.deepEqual(changed.sent, ['b']);
    assert.deepEqual(changed.view, await f.full());
    assert.equal((await f.sync()).byDigest, true);
    // a .dockerignore that hides the Dockerfile: the kept index is not the one the build trimmed
    await writeFile(join(f.dir, '.dockerignore'), 'Dockerfile\n.dockerignore\n');
    await f.sync();
    const hidden = await f.sync();
    assert.equal(hidden.byDigest, true);
    assert.deepEqual(hidden.view, await f.full());
    assert.throws(() => f.synced.sync({ id: 'ctx-1' }), /entries or digest required/);
  });
});

test('a deleted file, a file turned into a symlink, a .dockerignore change', async () => {
  await withFixture(async (f) => {
    await f.sync();
    await rm(join(f.dir, 'b'));
    await expectSync(f, []);
    await rm(join(f.dir, 'a', 'one'));
    await symlink('sub/two', join(f.dir, 'a', 'one'));
    await expectSync(f, []);
    await writeFile(join(f.dir, '.dockerignore'), 'a/sub\n');
    await expectSync(f, ['.dockerignore']);
    const { view } = await f.sync();
    assert.ok(!(view as { entries: { path: string }[] }).entries.some((e) => e.path.startsWith('a/sub')));
    await writeFile(join(f.dir, '.dockerignore'), '');
    await expectSync(f, ['.dockerignore', 'a/sub/two']);
  });
});

test('a mode-only and an mtime-only change resend the file and give the new metadata', async () => {
  await withFixture(async (f) => {
    await f.sync();
    await chmod(join(f.dir, 'b'), 0o755);
    await expectSync(f, ['b']);
    await utimes(join(f.dir, 'a', 'one'), new Date('2001-02-03T04:05:06Z'), new Date('2001-02-03T04:05:06Z'));
    await expectSync(f, ['a/one']);
    const { view } = await f.sync();
    const one = (view as { entries: { path: string; mtimeMs: number; mode: number }[] }).entries.find((e) => e.path === 'a/one')!;
    assert.equal(one.mtimeMs, Date.parse('2001-02-03T04:05:06Z'));
  });
});

test('manifests with paths outside the context or unclean paths are refused', async () => {
  await withFixture(async (f) => {
    const line = (path: string) => [path, 'f', 0o644, 1, '1', 0, 0, '1', '1'] as [string, 'f', number, number, string, number, number, string, string];
    for (const bad of ['../etc/passwd', '/etc/passwd', 'a/../../x', '..']) {
      assert.throws(() => f.synced.sync({ id: 'x', entries: [line(bad)] }), /outside of the build context/, bad);
    }
    for (const bad of ['a//b', './a', 'a/./b', 'a/']) {
      assert.throws(() => f.synced.sync({ id: 'x', entries: [line(bad)] }), /not a clean relative path/, bad);
    }
    assert.throws(() => f.synced.sync({ id: 'x', entries: [['l', 'l', 0o777, 0, '1', 0, 0, '1', '1']] }), /symlink needs its target/);
    assert.throws(() => f.synced.sync({ id: 'x', entries: [['f', 'f', -1, 0, '1', 0, 0, '1', '1']] }), /non-negative integers/);
    assert.throws(() => f.synced.sync({ id: '', entries: [] }), /id must be/);
    // an entry below a symlink is refused when the context is assembled, as in a tar
    const r = f.synced.sync({ id: 'y', entries: [['l', 'l', 0o777, 0, '1', 0, 0, '1', '1', '/etc'], ['l/passwd', 'f', 0o644, 1, '1', 0, 0, '2', '1']] });
    const delta = await makeTar([{ name: 'l/passwd', content: 'x' }]);
    await assert.rejects(f.synced.assemble(r.session!, [delta], { workDir: f.workDir }), /goes through symlink/);
    assert.deepEqual(await readdir(f.workDir), []);
  });
});

test('an unknown session is a conflict; a delta that does not match its session is refused and the id starts afresh', async () => {
  await withFixture(async (f) => {
    await assert.rejects(f.synced.assemble('nope', [], { workDir: f.workDir }), (err: Error & { kind?: string }) => err.kind === 'conflict');
    await f.sync();
    await writeFile(join(f.dir, 'b'), 'B\n');
    const plan = planContext(f.dir, 'Dockerfile');
    const r = f.synced.sync({ id: 'ctx-1', entries: manifestOf(plan) });
    const wrong = await makeTar([{ name: 'a/one', content: 'one\n' }]);
    await assert.rejects(f.synced.assemble(r.session!, [wrong], { workDir: f.workDir }), /expected "b", got "a\/one"/);
    // the session is used up, and nothing kept for the id is trusted afterwards
    await assert.rejects(f.synced.assemble(r.session!, [], { workDir: f.workDir }), /unknown or expired/);
    await expectSync(f, ['Dockerfile', 'a/one', 'a/sub/two', 'b', 'empty']);
    await writeFile(join(f.dir, 'b'), 'bb\n');
    const r2 = f.synced.sync({ id: 'ctx-1', entries: manifestOf(planContext(f.dir, 'Dockerfile')) });
    assert.deepEqual(r2.need!.map((i) => planContext(f.dir, 'Dockerfile').entries[i]!.path), ['b']);
    await assert.rejects(f.synced.assemble(r2.session!, [await makeTar([{ name: 'b', content: 'longer than before\n' }])], { workDir: f.workDir }), /changed while it was sent/);
    assert.deepEqual(await readdir(f.workDir), []);
    await expectSync(f, ['Dockerfile', 'a/one', 'a/sub/two', 'b', 'empty']);
  });
});

test('while one build syncs an id a second one gets a private session with every file', async () => {
  await withFixture(async (f) => {
    await f.sync();
    const plan = planContext(f.dir, 'Dockerfile');
    const first = f.synced.sync({ id: 'ctx-1', entries: manifestOf(plan) });
    const second = f.synced.sync({ id: 'ctx-1', entries: manifestOf(plan) });
    assert.deepEqual(first.need!, []);
    assert.equal(second.need!.length, 5);
    const a = await view(await f.synced.assemble(second.session!, packContext(plan, second.need!).tar, { workDir: f.workDir }));
    const b = await view(await f.synced.assemble(first.session!, Readable.from([]), { workDir: f.workDir }));
    assert.deepEqual(a, b);
    assert.deepEqual(a, await f.full());
  });
});

test('spools are compacted, and contexts beyond the bounds dropped least recently used first', async () => {
  await withFixture(async (f) => {
    await f.sync();
    for (let i = 0; i < 3; i++) {
      await writeFile(join(f.dir, 'a', 'sub', 'two'), Buffer.alloc(10_000 + i, i));
      await expectSync(f, ['a/sub/two']);
    }
    // the second change left more garbage than live bytes: the spool was rewritten (spool-1)
    const live = 'FROM busybox\nCOPY . /ctx\n'.length + 'one\n'.length + 10_002 + 'b\n'.length;
    assert.ok(f.synced.usage().bytes <= 2 * live, `${f.synced.usage().bytes} bytes kept for ${live} live`);
    const [slot] = await readdir(join(f.dir, '..', 'synced'));
    assert.deepEqual(await readdir(join(f.dir, '..', 'synced', slot!)), ['spool-1']);
    await f.sync('ctx-2');
    assert.equal(f.synced.usage().contexts, 1);
    assert.equal((await f.sync('ctx-1')).sent.length, 5, 'ctx-1 was dropped');
  }, { compactSlack: 0, maxContexts: 1 });
});
