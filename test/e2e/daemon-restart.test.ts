import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachTarget, sleep, waitFor } from './harness.js';
import { dockerArchive } from './lib/archives.js';

forEachTarget(
  'berthd crash and restart',
  (t) => {
    test('containers survive kill -9 of berthd; exits that happened meanwhile are recorded', { timeout: 120_000 }, async () => {
      const d = t().daemon!;
      const long = await t().docker(['run', '-d', '--name', 'survivor', 'busybox', 'sh', '-c', 'echo started; sleep 300']);
      assert.equal(long.code, 0, long.stderr);
      const short = await t().docker(['run', '-d', '--name', 'quitter', 'busybox', 'sh', '-c', 'sleep 2; exit 7']);
      assert.equal(short.code, 0, short.stderr);
      await waitFor(async () => (await t().docker(['logs', 'survivor'])).stdout.includes('started'), 10_000);

      await d.kill9();
      await sleep(3000);
      await d.start();

      const ps = await t().docker(['ps', '--format', '{{.Names}} {{.Status}}']);
      assert.equal(ps.code, 0, ps.stderr);
      assert.match(ps.stdout, /^survivor Up /m, `survivor not running after restart:\n${ps.stdout}\n${d.logTail()}`);
      assert.doesNotMatch(ps.stdout, /^quitter /m);
      const q = await t().docker(['ps', '-a', '--filter', 'name=quitter', '--format', '{{.Status}}']);
      assert.match(q.stdout, /^Exited \(7\) /, q.stdout);
      const w = await t().docker(['wait', 'quitter']);
      assert.equal(w.stdout.trim(), '7', w.stderr);
      const logs = await t().docker(['logs', 'survivor']);
      assert.equal(logs.stdout, 'started\n', logs.stderr);
      const stop = await t().docker(['stop', '-t', '1', 'survivor']);
      assert.equal(stop.code, 0, stop.stderr);
      const code = await t().docker(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', 'survivor']);
      assert.equal(code.stdout.trim(), 'exited 137');
      assert.equal((await t().docker(['rm', 'survivor', 'quitter'])).code, 0);
    });

    test('kill -9 of berthd mid-load leaves no half-visible image', { timeout: 180_000 }, async () => {
      const d = t().daemon!;
      const dir = mkdtempSync(join(tmpdir(), 'berth-e2e-bigload-'));
      try {
        const file = join(dir, 'big.tar');
        writeFileSync(file, await dockerArchive('big:1', [{ name: 'blob', body: Buffer.alloc(256 << 20, 0x5a) }]));
        const before = (await t().docker(['images', '-a', '-q', '--no-trunc'])).stdout;
        const load = t().docker(['load', '-i', file], { timeoutMs: 120_000 });
        let finished = false;
        void load.then(() => (finished = true));
        const ingest = join(d.dataRoot, 'content', 'ingest');
        await waitFor(() => finished || (existsSync(ingest) && readdirSync(ingest).length > 0), 5_000, 20);
        if (finished) {
          const r = await load;
          assert.fail(`load ended before the kill (code ${r.code}: ${r.stdout}${r.stderr}); cannot test an interrupted load`);
        }
        await d.kill9();
        const r = await load;
        assert.notEqual(r.code, 0, 'load reported success although berthd was killed');
        await d.start();
        const after = await t().docker(['images', '-a', '-q', '--no-trunc']);
        assert.equal(after.stdout, before, 'a partial image became visible');
        assert.notEqual((await t().docker(['image', 'inspect', 'big:1'])).code, 0);
        const again = await t().docker(['load', '-i', file], { timeoutMs: 120_000 });
        assert.equal(again.code, 0, `load after the crash failed: ${again.stderr}`);
        assert.match(again.stdout, /Loaded image: big:1/);
        await t().docker(['rmi', 'big:1']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('SIGTERM stops berthd cleanly and it comes back with the same state', { timeout: 60_000 }, async () => {
      const d = t().daemon!;
      assert.equal((await t().docker(['create', '--name', 'kept', '-l', 'k=v', 'busybox', 'true'])).code, 0);
      await d.stop();
      await d.start();
      const r = await t().docker(['inspect', '--format', '{{.Name}} {{.Config.Labels.k}} {{.State.Status}}', 'kept']);
      assert.equal(r.stdout.trim(), '/kept v created', r.stderr);
      assert.equal((await t().docker(['images', '--format', '{{.Repository}}'])).stdout.includes('busybox'), true);
      await t().docker(['rm', 'kept']);
    });

    test('no monitors or mounts leak once containers are removed', async () => {
      const d = t().daemon!;
      assert.equal((await t().docker(['run', '--rm', 'busybox', 'true'])).code, 0);
      const id = (await t().docker(['run', '-d', 'busybox', 'sleep', '300'])).stdout.trim();
      assert.equal((await t().docker(['rm', '-f', id])).code, 0);
      const stray = await waitFor(() => d.strayPids().length === 0, 5000);
      assert.ok(stray, `processes left for removed containers: ${d.strayPids().join(' ')}`);
      const { mountsUnder } = await import('./harness.js');
      assert.deepEqual(mountsUnder(d.execRoot).filter((m) => m.includes('/containers/')), []);
    });
  },
  { only: ['berth'] },
);
