import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachTarget, uniq, waitFor } from './harness.js';
import { BERTH_JS } from './lib/paths.js';

/** A `berth registry serve` child on a random loopback port; killed by PID in `after`. */
let registry: { address: string; child: ChildProcess; root: string } | undefined;

before(async () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-e2e-pullcrash-reg-'));
  const child = spawn(process.execPath, [BERTH_JS, 'registry', 'serve', '--listen', '127.0.0.1:0', '--root', root, '-q'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const address = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /listening on (\S+)/.exec(buf);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (c) => reject(new Error(`berth registry serve exited ${c}`)));
  });
  registry = { address, child, root };
});

after(async () => {
  const r = registry;
  if (!r) return;
  if (r.child.exitCode === null && r.child.pid !== undefined) {
    const gone = new Promise((res) => r.child.once('exit', res));
    process.kill(r.child.pid, 'SIGTERM');
    await gone;
  }
  rmSync(r.root, { recursive: true, force: true });
});

interface SnapshotMeta {
  snapshots: Record<string, { id: number; kind: string }>;
}

forEachTarget(
  'pull interrupted by a crash',
  (t) => {
    test('kill -9 of berthd mid-pull leaves no extract snapshot after the next start; the pull then works', { timeout: 300_000 }, async () => {
      const d = t().daemon!;
      const ref = `${registry!.address}/e2e/${uniq('pullcrash')}:v1`;
      const maker = uniq('pullcrash-src');
      // busybox plus one big layer: 64 MiB that does not compress and 2,000 small files
      const mk = await t().docker(
        ['run', '--name', maker, 'busybox', 'sh', '-c',
          'dd if=/dev/urandom of=/big bs=1M count=64 2>/dev/null && mkdir /many && cd /many && i=0; while [ $i -lt 2000 ]; do echo $i > f$i; i=$((i+1)); done; echo ok > /marker'],
        { timeoutMs: 120_000 },
      );
      assert.equal(mk.code, 0, mk.stderr);
      assert.equal((await t().docker(['commit', maker, ref], { timeoutMs: 120_000 })).code, 0);
      assert.equal((await t().docker(['rm', maker])).code, 0);
      const push = await t().docker(['push', ref], { timeoutMs: 180_000 });
      assert.equal(push.code, 0, push.stderr);
      assert.equal((await t().docker(['rmi', ref])).code, 0);

      const overlay = join(d.dataRoot, 'snapshots', 'overlay');
      const meta = (): SnapshotMeta => JSON.parse(readFileSync(join(overlay, 'metadata.json'), 'utf8')) as SnapshotMeta;
      const extracts = (): string[] => Object.keys(meta().snapshots).filter((k) => k.startsWith('extract-'));
      const pull = t().docker(['pull', ref], { timeoutMs: 180_000 });
      let finished = false;
      void pull.then(() => (finished = true));
      // wait until the big layer is being unpacked and has some files on disk
      const upperHasFiles = (): boolean => {
        for (const k of extracts()) {
          const fs = join(overlay, 'snapshots', String(meta().snapshots[k]!.id), 'fs');
          if (existsSync(join(fs, 'many')) || existsSync(join(fs, 'big'))) return true;
        }
        return false;
      };
      await waitFor(() => finished || upperHasFiles(), 120_000, 10);
      if (finished) {
        const r = await pull;
        assert.fail(`pull ended before the kill (code ${r.code}: ${r.stdout}${r.stderr}); cannot test an interrupted pull`);
      }
      await d.kill9();
      const r = await pull;
      assert.notEqual(r.code, 0, 'pull reported success although berthd was killed');
      assert.notDeepEqual(extracts(), [], 'the killed pull left its extract snapshot (the case this test is about)');

      await d.start();
      // berthd answers /_ping before its services are up; an image call waits for them
      assert.equal((await t().docker(['images', '-q'])).code, 0);
      assert.deepEqual(extracts(), [], `extract-* snapshots survived the restart\n${d.logTail()}`);
      const ids = new Set(Object.values(meta().snapshots).map((s) => String(s.id)));
      const strays = (): string[] => readdirSync(join(overlay, 'snapshots')).filter((n) => !ids.has(n));
      assert.ok(await waitFor(() => strays().length === 0, 30_000), `snapshot dirs without a record: ${strays().join(' ')}`);
      assert.deepEqual(readdirSync(join(d.dataRoot, 'content', 'ingest')), [], 'ingest temp files survived the restart');
      assert.notEqual((await t().docker(['image', 'inspect', ref])).code, 0, 'a half-pulled image is visible');

      const again = await t().docker(['pull', ref], { timeoutMs: 180_000 });
      assert.equal(again.code, 0, `pull after the crash failed: ${again.stderr}`);
      const run = await t().docker(['run', '--rm', ref, 'sh', '-c', 'cat /marker; ls /many | wc -l; wc -c < /big']);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(run.stdout.trim().split(/\s+/), ['ok', '2000', String(64 << 20)]);
      await t().docker(['rmi', ref]);
    });
  },
  { only: ['berth'] },
);
