import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachTarget, ORACLE_SOCKET, REPO_ROOT, targets, uniq, type Target } from './harness.js';
import { BERTH_JS, DOCKER_CLI } from './lib/paths.js';
import { runCommand } from './lib/exec.js';
import { cliEnv } from './lib/berth-daemon.js';

/** A `berth registry serve` child on a random loopback port; killed by PID in `after`. */
interface Reg {
  address: string;
  child: ChildProcess;
}

const roots: string[] = [];
const regs: Reg[] = [];

async function serve(htpasswd?: string): Promise<Reg> {
  const root = mkdtempSync(join(tmpdir(), 'berth-e2e-registry-'));
  roots.push(root);
  const args = [BERTH_JS, 'registry', 'serve', '--listen', '127.0.0.1:0', '--root', root, '-q', ...(htpasswd ? ['--htpasswd', htpasswd] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const address = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const m = /listening on (\S+)/.exec(buf);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (c) => reject(new Error(`berth registry serve exited ${c}`)));
  });
  const reg = { address, child };
  regs.push(reg);
  return reg;
}

let plain: Reg;
let secured: Reg;
const cfgDirs: string[] = [];

before(async () => {
  plain = await serve();
  const dir = mkdtempSync(join(tmpdir(), 'berth-e2e-htpasswd-'));
  roots.push(dir);
  const bcrypt = createRequire(join(REPO_ROOT, 'package.json'))('bcryptjs') as { hashSync(p: string, r: number): string };
  writeFileSync(join(dir, 'htpasswd'), `alice:${bcrypt.hashSync('s3cret', 4)}\n`);
  secured = await serve(join(dir, 'htpasswd'));
});

after(async () => {
  for (const r of regs) {
    if (r.child.exitCode !== null || r.child.pid === undefined) continue;
    const gone = new Promise((res) => r.child.once('exit', res));
    process.kill(r.child.pid, 'SIGTERM');
    await gone;
  }
  for (const d of [...roots, ...cfgDirs]) rmSync(d, { recursive: true, force: true });
});

function digestOf(pushOut: string, tag: string): string {
  const m = new RegExp(`^${tag}: digest: (sha256:[0-9a-f]{64}) size: \\d+$`, 'm').exec(pushOut);
  assert.ok(m, pushOut);
  return m[1]!;
}

async function id(t: Target, ref: string): Promise<string> {
  return (await t.docker(['image', 'inspect', '--format', '{{.Id}}', ref])).stdout.trim();
}

forEachTarget('registry push/pull', (t) => {
  test('docker push then pull round trip: same digest, RepoDigests, image runs', async () => {
    const repo = `${plain.address}/e2e/${uniq(t().name)}`;
    assert.equal((await t().docker(['tag', 'busybox', `${repo}:v1`])).code, 0);
    const push = await t().docker(['push', `${repo}:v1`]);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, new RegExp(`^The push refers to repository \\[${repo.replace(/\./g, '\\.')}\\]$`, 'm'));
    assert.match(push.stdout, /^[0-9a-f]{12}: Pushed$/m);
    const digest = digestOf(push.stdout, 'v1');
    const again = await t().docker(['push', `${repo}:v1`]);
    assert.match(again.stdout, /^[0-9a-f]{12}: Layer already exists$/m);
    assert.equal(digestOf(again.stdout, 'v1'), digest);
    const before = await id(t(), `${repo}:v1`);
    assert.equal((await t().docker(['rmi', `${repo}:v1`])).code, 0);
    const pull = await t().docker(['pull', `${repo}:v1`]);
    assert.equal(pull.code, 0, pull.stderr);
    assert.match(pull.stdout, /^v1: Pulling from e2e\//m);
    assert.match(pull.stdout, new RegExp(`^Digest: ${digest}$`, 'm'));
    assert.match(pull.stdout, /^Status: (Downloaded newer image|Image is up to date) for /m);
    assert.equal(await id(t(), `${repo}:v1`), before);
    const digests = JSON.parse((await t().docker(['image', 'inspect', '--format', '{{json .RepoDigests}}', `${repo}:v1`])).stdout) as string[];
    assert.ok(digests.includes(`${repo}@${digest}`), digests.join(','));
    const byDigest = await t().docker(['pull', `${repo}@${digest}`]);
    assert.equal(byDigest.code, 0, byDigest.stderr);
    assert.equal((await t().docker(['tag', 'busybox', `${repo}:v2`])).code, 0);
    const missing = await t().docker(['push', `${repo}:v3`]);
    assert.equal(missing.stderr.trim(), `tag does not exist: ${repo}:v3`);
    assert.equal((await t().docker(['push', `${repo}:v2`])).code, 0);
    const all = await t().docker(['pull', '-a', repo]);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /^v1: Pulling from e2e\/.*\n(.*\n)*v2: Pulling from e2e\//m);
    assert.match(all.stdout, new RegExp(`^Status: Image is up to date for ${repo.replace(/\./g, '\\.')}\n${repo.replace(/\./g, '\\.')}\n$`, 'm'));
    const run = await t().docker(['run', '--rm', `${repo}:v1`, 'echo', 'pulled ok']);
    assert.equal(run.stdout, 'pulled ok\n', run.stderr);
  });

  test('pulling a tag the registry lacks fails with Docker\'s message', async () => {
    const repo = `${plain.address}/e2e/${uniq('missing')}`;
    const tagged = `${plain.address}/e2e/${uniq('has')}`;
    await t().docker(['tag', 'busybox', `${tagged}:v1`]);
    await t().docker(['push', `${tagged}:v1`]);
    const r = await t().docker(['pull', `${tagged}:nope`]);
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr.trim(), `Error response from daemon: manifest for ${tagged}:nope not found: manifest unknown: manifest unknown`);
    const r2 = await t().docker(['pull', `${repo}:v1`]);
    assert.notEqual(r2.code, 0);
    assert.equal(r2.stderr.trim(), `Error response from daemon: repository ${repo} not found: name unknown: repository name not known to registry`);
    const p = await t().docker(['push', `${repo}:v1`]);
    assert.notEqual(p.code, 0);
    assert.equal(p.stderr.trim(), `An image does not exist locally with the tag: ${repo}`);
  });

  test('search asks the registry named in the term; --limit is checked as Docker does', async () => {
    const name = uniq('findme');
    await t().docker(['tag', 'busybox', `${plain.address}/${name}:v1`]);
    assert.equal((await t().docker(['push', `${plain.address}/${name}:v1`])).code, 0);
    const r = await t().docker(['search', `${plain.address}/${name}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^NAME\\s+DESCRIPTION\\s+STARS\\s+OFFICIAL\\n${name}\\s+1 tag\\(s\\)\\s+0\\s*\\n$`));
    const bad = await t().docker(['search', '--limit', '200', `${plain.address}/${name}`]);
    assert.equal(bad.stderr.trim(), 'Error response from daemon: Limit 200 is outside the range of [1, 100]');
  });

  test('login against an htpasswd registry: bad password refused, good one stored; push needs it', async () => {
    const cfg = mkdtempSync(join(tmpdir(), 'berth-e2e-login-'));
    cfgDirs.push(cfg);
    writeFileSync(join(cfg, 'config.json'), '{}');
    const env = { DOCKER_CONFIG: cfg };
    const repo = `${secured.address}/e2e/${uniq('sec')}`;
    await t().docker(['tag', 'busybox', `${repo}:v1`]);
    const anon = await t().docker(['push', `${repo}:v1`], { env });
    assert.notEqual(anon.code, 0);
    assert.match(anon.stderr, /no basic auth credentials/);
    const anonPull = await t().docker(['pull', `${repo}:v1`], { env });
    assert.equal(anonPull.stderr.trim(), `Error response from daemon: Head "http://${secured.address}/v2/${repo.slice(secured.address.length + 1)}/manifests/v1": no basic auth credentials`);
    const bad = await t().docker(['login', '-u', 'alice', '--password-stdin', secured.address], { env, input: 'wrong\n' });
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, new RegExp(`login attempt to http://${secured.address.replace(/\./g, '\\.')}/v2/ failed with status: 401 Unauthorized`));
    const good = await t().docker(['login', '-u', 'alice', '--password-stdin', secured.address], { env, input: 's3cret\n' });
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /Login Succeeded/);
    const push = await t().docker(['push', `${repo}:v1`], { env });
    assert.equal(push.code, 0, push.stderr);
    assert.equal((await t().docker(['logout', secured.address], { env })).code, 0);
  });
});

const oracleUp = targets().find((s) => s.name === 'docker' && !s.skip) !== undefined;
test('cross-engine: what Docker pushes berth pulls (same image ID), and the reverse', { skip: oracleUp ? false : 'Docker oracle not running' }, async () => {
  // the berth target's daemon is private to its describe block; use the berth CLI-less path:
  // the oracle pushes, then berth (a fresh berthd) pulls through the docker CLI.
  const { BerthDaemon } = await import('./lib/berth-daemon.js');
  const d = new BerthDaemon();
  await d.start();
  try {
    await d.loadBaseImage();
    const oracle = (args: string[]) => runCommand(DOCKER_CLI, args, { env: cliEnv(ORACLE_SOCKET) });
    const fromDocker = `${plain.address}/cross/${uniq('from-docker')}:1`;
    assert.equal((await oracle(['tag', 'busybox', fromDocker])).code, 0);
    const p1 = await oracle(['push', fromDocker]);
    assert.equal(p1.code, 0, p1.stderr);
    const pulled = await d.docker(['pull', fromDocker]);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.match(pulled.stdout, new RegExp(`^Digest: ${digestOf(p1.stdout, '1')}$`, 'm'));
    const oid = (await oracle(['image', 'inspect', '--format', '{{.Id}}', fromDocker])).stdout.trim();
    assert.equal((await d.docker(['image', 'inspect', '--format', '{{.Id}}', fromDocker])).stdout.trim(), oid);

    const fromBerth = `${plain.address}/cross/${uniq('from-berth')}:1`;
    assert.equal((await d.docker(['tag', 'busybox', fromBerth])).code, 0);
    const p2 = await d.docker(['push', fromBerth]);
    assert.equal(p2.code, 0, p2.stderr);
    const op = await oracle(['pull', fromBerth]);
    assert.equal(op.code, 0, op.stderr);
    assert.match(op.stdout, new RegExp(`^Digest: ${digestOf(p2.stdout, '1')}$`, 'm'));
    const bid = (await d.docker(['image', 'inspect', '--format', '{{.Id}}', fromBerth])).stdout.trim();
    assert.equal((await oracle(['image', 'inspect', '--format', '{{.Id}}', fromBerth])).stdout.trim(), bid);
    await oracle(['rmi', fromDocker, fromBerth]);
  } finally {
    await d.teardown();
  }
});
