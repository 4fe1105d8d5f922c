import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { lstat, mkdtemp, readdir, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { receiveContext, type ReceiveContextOptions } from './receive-context.js';
import { makeTar, type TarSpec } from './test-tars.js';

const DF = 'FROM busybox\nCOPY . /ctx\n';

async function withWorkDir(fn: (workDir: string, outside: string) => Promise<void>): Promise<void> {
  const base = await mkdtemp(join(tmpdir(), 'berth-ctx-test-'));
  try {
    await fn(join(base, 'work'), join(base, 'outside'));
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

async function receive(body: Buffer, opts: ReceiveContextOptions) {
  return receiveContext([body], opts);
}

async function rejects(body: Buffer, opts: ReceiveContextOptions, message: RegExp): Promise<void> {
  await assert.rejects(receive(body, opts), (err: Error) => {
    assert.match(err.message, message);
    return true;
  });
  // nothing is left behind in the work dir
  assert.deepEqual(existsSync(opts.workDir) ? await readdir(opts.workDir) : [], []);
}

async function text(src: AsyncIterable<unknown>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of src) parts.push(c as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

const tarOf = (specs: TarSpec[]): Promise<Buffer> => makeTar([{ name: 'Dockerfile', content: DF }, ...specs]);

test('a plain tar is indexed (nothing unpacked), and materialised on demand with modes, mtimes and symlinks kept', async () => {
  await withWorkDir(async (workDir) => {
    const mtime = new Date('2020-01-02T03:04:05Z');
    const body = await tarOf([
      { name: 'src/', type: 'directory', mode: 0o750 },
      { name: 'src/app.js', content: 'console.log(1)\n', mode: 0o755, uid: 1000, gid: 1000, mtime },
      { name: 'link', type: 'symlink', linkname: '/etc/passwd' },
      { name: './implied/dir/file', content: 'x' },
    ]);
    const ctx = await receive(body, { workDir });
    try {
      assert.equal(ctx.dockerfile.content, DF);
      assert.equal(ctx.dockerfile.path, 'Dockerfile');
      assert.deepEqual(ctx.list().map((e) => `${e.type} ${e.path}`), [
        'file Dockerfile',
        'dir implied',
        'dir implied/dir',
        'file implied/dir/file',
        'symlink link',
        'dir src',
        'file src/app.js',
      ]);
      const app = ctx.entry('src/app.js')!;
      assert.equal(app.mode, 0o755);
      assert.equal(app.uid, 1000);
      assert.ok(!existsSync(join(ctx.dir, 'root')), 'nothing is unpacked until a host path is asked for');
      assert.equal(await text(ctx.open('src/app.js')), 'console.log(1)\n');
      const root = await ctx.materialise();
      const st = await stat(join(root, 'src/app.js'));
      assert.equal(st.mode & 0o777, 0o755);
      assert.equal(st.mtime.getTime(), mtime.getTime());
      assert.equal((await stat(join(root, 'src'))).mode & 0o777, 0o750);
      assert.ok((await lstat(join(root, 'link'))).isSymbolicLink());
      assert.equal(await readlink(join(root, 'link')), '/etc/passwd');
      assert.equal((await stat(ctx.dir)).mode & 0o777, 0o700);
      assert.equal(await ctx.hostPath('src/app.js'), join(root, 'src/app.js'));
    } finally {
      await ctx.dispose();
    }
    assert.deepEqual(await readdir(workDir), []);
  });
});

test('a gzipped tar is sniffed and unpacked', async () => {
  await withWorkDir(async (workDir) => {
    const ctx = await receive(gzipSync(await tarOf([{ name: 'a.txt', content: 'a' }])), { workDir });
    assert.equal(await text(ctx.open('a.txt')), 'a');
    assert.equal(await readFile(await ctx.hostPath('a.txt'), 'utf8'), 'a');
    await ctx.dispose();
  });
});

test('a body that is not a tar is the Dockerfile itself', async () => {
  await withWorkDir(async (workDir) => {
    const ctx = await receive(Buffer.from(DF), { workDir });
    assert.equal(ctx.dockerfile.content, DF);
    assert.deepEqual(ctx.list().map((e) => e.path), ['Dockerfile']);
    await ctx.dispose();
    const named = await receive(gzipSync(Buffer.from(DF)), { workDir, dockerfile: 'build/Dockerfile.dev' });
    assert.equal(named.dockerfile.path, 'build/Dockerfile.dev');
    assert.equal(named.dockerfile.content, DF);
    await named.dispose();
  });
});

test('Dockerfile lookup follows Docker: lower-case fallback, path rules, empty and missing files', async () => {
  await withWorkDir(async (workDir) => {
    const lower = await receive(await makeTar([{ name: 'dockerfile', content: DF }]), { workDir });
    assert.equal(lower.dockerfile.path, 'dockerfile');
    await lower.dispose();
    const sub = await receive(await makeTar([{ name: 'sub/Dockerfile.x', content: DF }]), { workDir, dockerfile: '/sub/Dockerfile.x' });
    assert.equal(sub.dockerfile.path, 'sub/Dockerfile.x');
    await sub.dispose();
    await rejects(Buffer.alloc(0), { workDir }, /^Cannot locate specified Dockerfile: Dockerfile$/);
    await rejects(await makeTar([{ name: 'x', content: 'y' }]), { workDir, dockerfile: 'nope' }, /^Cannot locate specified Dockerfile: nope$/);
    await rejects(await tarOf([]), { workDir, dockerfile: '../x' }, /^forbidden path outside the build context: \.\.\/x \(\)$/);
    await rejects(await makeTar([{ name: 'Dockerfile', content: '' }]), { workDir }, /^the Dockerfile \(Dockerfile\) cannot be empty$/);
    await rejects(await makeTar([{ name: 'sub/', type: 'directory' }]), { workDir, dockerfile: 'sub' }, /^unexpected error reading Dockerfile: read sub: is a directory$/);
  });
});

test('entries climbing out with .. are refused; absolute names stay inside', async () => {
  await withWorkDir(async (workDir, outside) => {
    await rejects(await tarOf([{ name: '../evil', content: 'x' }]), { workDir }, /"\.\.\/evil" is outside of the build context/);
    await rejects(await tarOf([{ name: 'a/../../evil', content: 'x' }]), { workDir }, /is outside of the build context/);
    assert.ok(!existsSync(join(workDir, '..', 'evil')));
    const ctx = await receive(await tarOf([{ name: '/abs/evil', content: 'x' }]), { workDir });
    assert.equal(ctx.entry('abs/evil')?.type, 'file');
    await ctx.dispose();
    assert.ok(!existsSync(outside));
  });
});

test('nothing is written through a symlink, even one pointing inside', async () => {
  await withWorkDir(async (workDir, outside) => {
    await rejects(
      await tarOf([{ name: 'link', type: 'symlink', linkname: outside }, { name: 'link/evil', content: 'x' }]),
      { workDir },
      /"link\/evil" goes through symlink "link"/,
    );
    await rejects(
      await tarOf([{ name: 'up', type: 'symlink', linkname: '../../..' }, { name: 'up/tmp/evil', content: 'x' }]),
      { workDir },
      /goes through symlink "up"/,
    );
    assert.ok(!existsSync(outside));
  });
});

test('hard links must point at a file already in the context', async () => {
  await withWorkDir(async (workDir) => {
    await rejects(await tarOf([{ name: 'h', type: 'link', linkname: '../../etc/passwd' }]), { workDir }, /hard link "h" to "..\/..\/etc\/passwd"/);
    await rejects(await tarOf([{ name: 'h', type: 'link', linkname: '/etc/passwd' }]), { workDir }, /hard link "h"/);
    await rejects(
      await tarOf([{ name: 'd', type: 'symlink', linkname: '/etc' }, { name: 'h', type: 'link', linkname: 'd/passwd' }]),
      { workDir },
      /hard link "h" to "d\/passwd"/,
    );
    const ctx = await receive(await tarOf([{ name: 'a', content: 'same' }, { name: 'b', type: 'link', linkname: 'a' }]), { workDir });
    assert.equal(await text(ctx.open('b')), 'same');
    assert.equal(await readFile(await ctx.hostPath('b'), 'utf8'), 'same');
    assert.equal(ctx.entry('b')?.size, 4);
    await ctx.dispose();
  });
});

test('later entries replace earlier ones; fifos are skipped', async () => {
  await withWorkDir(async (workDir) => {
    const ctx = await receive(
      await tarOf([
        { name: 'x/inner', content: '1' },
        { name: 'x', content: 'now a file' },
        { name: 'p', type: 'fifo' },
      ]),
      { workDir },
    );
    assert.equal(ctx.entry('x')?.type, 'file');
    assert.equal(ctx.entry('x/inner'), undefined);
    assert.equal(ctx.entry('p'), undefined);
    await ctx.dispose();
  });
});

test('the size limit applies to the uncompressed stream', async () => {
  await withWorkDir(async (workDir) => {
    const big = await tarOf([{ name: 'zeros', content: Buffer.alloc(4 << 20) }]);
    await rejects(big, { workDir, maxBytes: 1 << 20 }, /^build context exceeds the size limit of 1048576 bytes$/);
    await rejects(gzipSync(big), { workDir, maxBytes: 1 << 20 }, /exceeds the size limit/);
    await rejects(Buffer.alloc(2 << 20, 'a'), { workDir, maxBytes: 1 << 20 }, /exceeds the size limit/);
    const ok = await receive(big, { workDir, maxBytes: 8 << 20 });
    assert.equal(ok.entry('zeros')?.size, 4 << 20);
    await ok.dispose();
  });
});

test('a corrupt gzip body is an error and leaves nothing', async () => {
  await withWorkDir(async (workDir) => {
    const gz = gzipSync(await tarOf([]));
    await rejects(gz.subarray(0, gz.length - 12), { workDir }, /./);
  });
});

test('.dockerignore hides the Dockerfile and itself from COPY when it lists them', async () => {
  await withWorkDir(async (workDir) => {
    const ctx = await receive(
      await tarOf([
        { name: '.dockerignore', content: 'Dockerfile\n.dockerignore\n' },
        { name: 'keep', content: 'k' },
      ]),
      { workDir },
    );
    assert.equal(ctx.dockerfile.content, DF);
    assert.deepEqual(ctx.list().map((e) => e.path), ['keep']);
    await ctx.dispose();
    const kept = await receive(await tarOf([{ name: '.dockerignore', content: '*.md\n' }]), { workDir });
    assert.deepEqual(kept.list().map((e) => e.path), ['.dockerignore', 'Dockerfile']);
    await kept.dispose();
  });
});

test('a body that breaks off midway (client gone) is an error and leaves nothing', async () => {
  await withWorkDir(async (workDir) => {
    const full = await tarOf([{ name: 'big', content: Buffer.alloc(256 << 10, 'z') }]);
    async function* cut(): AsyncGenerator<Buffer> {
      yield full.subarray(0, 100_000);
      throw new Error('aborted');
    }
    await assert.rejects(receiveContext(cut(), { workDir }), /aborted/);
    assert.deepEqual(await readdir(workDir), []);
    await rejects(full.subarray(0, 100_000), { workDir }, /./);
  });
});

test('a tar context is kept in memory within the budget, and spills to its spool file beyond it', async () => {
  const { memoryBudget, memoryHeld } = await import('./memory-spool.js');
  const files = [{ name: 'Dockerfile', content: DF }, { name: 'a', content: Buffer.alloc(3000, 1) }, { name: 'b', content: Buffer.alloc(5000, 2) }];
  for (const budget of [1 << 20, 4000]) {
    const restore = memoryBudget(budget);
    try {
      await withWorkDir(async (workDir) => {
        const ctx = await receive(await makeTar(files), { workDir });
        try {
          assert.equal(existsSync(join(ctx.dir, 'files')), budget === 4000, 'a spool file only when the bytes spilled');
          assert.equal(memoryHeld() > 0, budget !== 4000);
          for (const f of files) assert.equal(await text(ctx.open(f.name)), f.content.toString());
          assert.equal((await ctx.head('b', 10)).toString(), Buffer.alloc(10, 2).toString());
        } finally {
          await ctx.dispose();
        }
        assert.equal(memoryHeld(), 0, 'dispose gives the memory back');
      });
    } finally {
      restore();
    }
  }
  await withWorkDir(async (workDir) => {
    await assert.rejects(receive(await makeTar([{ name: 'x', content: 'x' }]), { workDir }), /Cannot locate specified Dockerfile/);
    assert.equal(memoryHeld(), 0, 'a refused context gives the memory back');
  });
});
