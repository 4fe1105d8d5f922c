import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachTarget, runCommand, uniq } from './harness.js';
import { missingClient } from './clients/probe-runner.js';

const noPy = missingClient('docker-py');
const noCompose = missingClient('docker-compose');

/** docker-py `images.build` (classic builder API) and docker-compose 1.29 `build` with a build arg. */
forEachTarget('build through docker-py and docker-compose', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-build-clients-'));
  const tag = uniq('btpy');
  const project = uniq('btcmp').replace(/-/g, '');
  writeFileSync(join(dir, 'Dockerfile'), 'FROM busybox\nARG GREETING=hello\nRUN echo "$GREETING" > /greeting\nCMD ["cat", "/greeting"]\n');
  writeFileSync(join(dir, 'docker-compose.yml'), [
    'version: "3.7"',
    'services:',
    '  app:',
    '    build:',
    '      context: .',
    '      network: none',
    '      args:',
    '        GREETING: from-compose',
    `    image: ${project}-app`,
    '',
  ].join('\n'));
  after(async () => {
    await t().docker(['rmi', '-f', tag, `${project}-app`]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  test('docker-py images.build: image, logs and build args', { skip: noPy }, async () => {
    const script = [
      'import docker, json, sys',
      `c = docker.DockerClient(base_url="unix://${t().socket}", version="1.41")`,
      `img, logs = c.images.build(path=${JSON.stringify(dir)}, tag=${JSON.stringify(tag)}, buildargs={"GREETING": "from-py"}, network_mode="none", rm=True)`,
      'streams = "".join(l.get("stream", "") for l in logs)',
      'print(json.dumps({"id": img.id, "tags": img.tags, "ok": "Successfully built" in streams}))',
    ].join('\n');
    const r = await runCommand('python3', ['-c', script], { timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { id: string; tags: string[]; ok: boolean };
    assert.match(out.id, /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(out.tags, [`${tag}:latest`]);
    assert.ok(out.ok);
    const run = await t().docker(['run', '--rm', '--network', 'none', tag]);
    assert.equal(run.stdout, 'from-py\n');
    const bad = await runCommand('python3', ['-c', [
      'import docker',
      `c = docker.DockerClient(base_url="unix://${t().socket}", version="1.41")`,
      'import io',
      'try:',
      '    c.images.build(fileobj=io.BytesIO(b"FROM busybox\\nRUN exit 7\\n"), network_mode="none")',
      'except docker.errors.BuildError as e:',
      '    print("BuildError:", e.msg)',
    ].join('\n')], { timeoutMs: 120_000 });
    assert.match(bad.stdout, /BuildError: The command '\/bin\/sh -c exit 7' returned a non-zero code: 7/);
  });

  test('docker-compose build with a build arg, then run the service', { skip: noCompose }, async () => {
    const env = { DOCKER_HOST: `unix://${t().socket}` };
    const b = await runCommand('docker-compose', ['-f', join(dir, 'docker-compose.yml'), '-p', project, 'build'], { env, timeoutMs: 120_000 });
    assert.equal(b.code, 0, b.stderr + b.stdout);
    assert.match(b.stdout + b.stderr, /Successfully tagged/);
    const run = await t().docker(['run', '--rm', '--network', 'none', `${project}-app`]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'from-compose\n');
  });
});
