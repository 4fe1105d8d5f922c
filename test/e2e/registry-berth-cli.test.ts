import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BerthDaemon, REPO_ROOT, uniq } from './harness.js';
import { BERTH_JS } from './lib/paths.js';

const dirs: string[] = [];
let reg: ChildProcess | undefined;
let address = '';
let regRoot = '';
let d: BerthDaemon;
let cfg = '';

before(async () => {
  regRoot = mkdtempSync(join(tmpdir(), 'berth-e2e-cli-registry-'));
  cfg = mkdtempSync(join(tmpdir(), 'berth-e2e-cli-cfg-'));
  dirs.push(regRoot, cfg);
  const bcrypt = createRequire(join(REPO_ROOT, 'package.json'))('bcryptjs') as { hashSync(p: string, r: number): string };
  writeFileSync(join(cfg, 'htpasswd'), `bob:${bcrypt.hashSync('pw1', 4)}\n`);
  reg = spawn(process.execPath, [BERTH_JS, 'registry', 'serve', '--listen', '127.0.0.1:0', '--root', join(regRoot, 'r'), '--htpasswd', join(cfg, 'htpasswd'), '-q'], { stdio: ['ignore', 'pipe', 'inherit'] });
  address = await new Promise<string>((resolve, reject) => {
    let buf = '';
    reg!.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /listening on (\S+)/.exec(buf);
      if (m) resolve(m[1]!);
    });
    reg!.once('exit', (c) => reject(new Error(`registry exited ${c}`)));
  });
  d = new BerthDaemon();
  await d.start();
  await d.loadBaseImage();
}, { timeout: 120_000 });

after(async () => {
  if (d) await d.teardown();
  if (reg?.pid !== undefined && reg.exitCode === null) {
    const gone = new Promise((r) => reg!.once('exit', r));
    process.kill(reg.pid, 'SIGTERM');
    await gone;
  }
  for (const x of dirs) rmSync(x, { recursive: true, force: true });
});

test('berth login/push/pull/search/logout use ~/.docker/config.json (DOCKER_CONFIG) like docker', async () => {
  const env = { DOCKER_CONFIG: join(cfg, 'docker') };
  const berth = (args: string[], input?: string) => d.berth(args, { env, input });
  const bad = await berth(['login', '-u', 'bob', '--password-stdin', address], 'nope\n');
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr.trim(), `Error response from daemon: login attempt to http://${address}/v2/ failed with status: 401 Unauthorized`);
  const good = await berth(['login', '-u', 'bob', '--password-stdin', address], 'pw1\n');
  assert.equal(good.code, 0, good.stderr);
  assert.equal(good.stdout, 'Login Succeeded\n');
  const stored = JSON.parse(readFileSync(join(cfg, 'docker', 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> };
  assert.equal(stored.auths[address]!.auth, Buffer.from('bob:pw1').toString('base64'));

  const repo = `${address}/cli/${uniq('img')}`;
  assert.equal((await berth(['tag', 'busybox', `${repo}:t1`])).code, 0);
  const push = await berth(['push', `${repo}:t1`]);
  assert.equal(push.code, 0, push.stderr);
  const digest = /^t1: digest: (sha256:[0-9a-f]{64}) size: \d+$/m.exec(push.stdout)?.[1];
  assert.ok(digest, push.stdout);
  assert.equal((await berth(['rmi', `${repo}:t1`])).code, 0);
  const pull = await berth(['pull', `${repo}:t1`]);
  assert.equal(pull.code, 0, pull.stderr);
  assert.match(pull.stdout, new RegExp(`^Digest: ${digest}$`, 'm'));
  assert.equal(pull.stdout.trim().split('\n').at(-1), `${repo}:t1`);

  const search = await berth(['search', `${address}/cli`]);
  assert.equal(search.code, 0, search.stderr);
  assert.match(search.stdout, /^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL\n/);
  assert.match(search.stdout, new RegExp(`^${repo.slice(address.length + 1)}\\s`, 'm'));

  const out = await berth(['logout', address]);
  assert.equal(out.stdout, `Removing login credentials for ${address}\n`);
  assert.equal((await berth(['logout', address])).stdout, `Not logged in to ${address}\n`);
  const denied = await berth(['pull', `${repo}:t1`]);
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /no basic auth credentials/);
});

test('berth registry gc runs against a registry root', async () => {
  const r = await d.berth(['registry', 'gc', '--root', join(regRoot, 'gc-empty'), '--dry-run']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /0 blobs would be deleted/);
  const bad = await d.berth(['registry', 'serve']);
  assert.equal(bad.code, 125);
});
