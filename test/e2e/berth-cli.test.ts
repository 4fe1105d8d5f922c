import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { baseRootfsTar, forEachTarget } from './harness.js';

forEachTarget(
  'berth CLI',
  (t) => {
    const berth = (args: string[], input?: Buffer | string) => t().daemon!.berth(args, input === undefined ? {} : { input });

    test('berth --version and berth version', async () => {
      const v = await berth(['--version']);
      assert.equal(v.code, 0, v.stderr);
      assert.match(v.stdout, /\d+\.\d+\.\d+/);
      const sv = await berth(['version']);
      assert.equal(sv.code, 0, sv.stderr);
      assert.match(sv.stdout, /Server/);
    });

    test('berth run --rm busybox echo hello', async () => {
      const r = await berth(['run', '--rm', 'busybox', 'echo', 'hello from berth']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'hello from berth\n');
      const e = await berth(['run', '--rm', 'busybox', 'sh', '-c', 'exit 3']);
      assert.equal(e.code, 3, e.stderr);
      const i = await berth(['run', '-i', '--rm', 'busybox', 'cat'], 'piped\n');
      assert.equal(i.stdout, 'piped\n', i.stderr);
    });

    test('berth run -d, ps, logs, stop, rm', async () => {
      const d = await berth(['run', '-d', '--name', 'cli-bg', 'busybox', 'sh', '-c', 'echo bg; sleep 300']);
      assert.equal(d.code, 0, d.stderr);
      assert.match(d.stdout.trim(), /^[0-9a-f]{64}$/);
      const ps = await berth(['ps', '--format', '{{.Names}}']);
      assert.match(ps.stdout, /^cli-bg$/m, ps.stderr);
      const table = await berth(['ps']);
      assert.match(table.stdout, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES/);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal((await berth(['logs', 'cli-bg'])).stdout, 'bg\n');
      assert.equal((await berth(['stop', '-t', '1', 'cli-bg'])).code, 0);
      assert.equal((await berth(['inspect', '--format', '{{.State.ExitCode}}', 'cli-bg'])).stdout.trim(), '137');
      assert.equal((await berth(['rm', 'cli-bg'])).stdout.trim(), 'cli-bg');
    });

    test('berth import (stdin) and images', async () => {
      const r = await berth(['import', '-c', 'CMD ["sh"]', '-', 'cli-imported:1'], readFileSync(baseRootfsTar()));
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
      const imgs = await berth(['images']);
      assert.match(imgs.stdout, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE/);
      assert.match(imgs.stdout, /^cli-imported\s+1\s+[0-9a-f]{12}/m);
      assert.equal((await berth(['rmi', 'cli-imported:1'])).code, 0);
    });

    test('berth errors use Docker\'s wording and exit codes', async () => {
      const r = await berth(['rm', 'nope-nope']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Error response from daemon: No such container: nope-nope/);
      const n = await berth(['run', '--rm', 'busybox', 'nonexistent-cmd']);
      assert.equal(n.code, 127);
      const bad = await berth(['no-such-subcommand']);
      assert.notEqual(bad.code, 0);
    });
  },
  { only: ['berth'] },
);
