import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import { makeTar } from '../../src/builder/context/test-tars.js';
import { forEachTarget, uniq, waitFor } from './harness.js';

interface ImageJson {
  Id: string;
  Config: { Cmd: string[] | null; Env: string[] | null; Labels: Record<string, string> | null; WorkingDir: string; User: string; Entrypoint: string[] | null; ExposedPorts?: Record<string, object>; Volumes: Record<string, object> | null; StopSignal?: string; OnBuild: string[] | null };
  RootFS: { Layers: string[] };
}

function context(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-build-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

const BASIC = `FROM busybox
ARG V=1
ENV A=b C=\${A}d
LABEL l1=v1 "l 2"="v 2"
WORKDIR /app
COPY . ./
COPY sub/x.txt /opt/
RUN echo hi $V > /app/out && cat /app/out
USER 1000:1000
EXPOSE 80 53/udp
VOLUME /data
STOPSIGNAL SIGUSR1
ENTRYPOINT ["sh", "-c"]
CMD ["echo", "x"]
`;

forEachTarget('docker build (classic builder)', (t) => {
  const dirs: string[] = [];
  const tag = uniq('bt-basic');
  let basicDir = '';

  const docker = (args: string[], input?: string) => t().docker(args, input === undefined ? {} : { input });
  const inspect = async (ref: string): Promise<ImageJson> => {
    const r = await docker(['image', 'inspect', ref]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as ImageJson[])[0]!;
  };
  const run = async (args: string[]): Promise<string> => {
    const r = await docker(['run', '--rm', '--network', 'none', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  before(() => {
    basicDir = context({ Dockerfile: BASIC, 'a.txt': 'A\n', 'sub/x.txt': 'X\n', '.dockerignore': 'ignored*\n', 'ignored.txt': 'no\n' });
    dirs.push(basicDir);
  });
  after(async () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await docker(['rmi', '-f', tag, `${tag}:two`]);
  });

  test('builds every metadata instruction, COPY and RUN like Docker', async () => {
    const r = await docker(['build', '--network', 'none', '-t', tag, '-t', `${tag}:two`, basicDir]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /Step 1\/14 : FROM busybox\n ---> [0-9a-f]{12}\n/);
    assert.match(r.stdout, /Step 8\/14 : RUN echo hi \$V > \/app\/out && cat \/app\/out\n(.*\n)? ---> Running in [0-9a-f]{12}\nhi 1\nRemoving intermediate container [0-9a-f]{12}\n ---> [0-9a-f]{12}\n/);
    assert.match(r.stdout, new RegExp(`Successfully built [0-9a-f]{12}\\nSuccessfully tagged ${tag}:latest\\nSuccessfully tagged ${tag}:two\\n`));
    const img = await inspect(tag);
    // one ENV line expands with the env from before it (Docker's rule): C sees no A
    assert.deepEqual(img.Config.Env?.slice(-2), ['A=b', 'C=d']);
    assert.deepEqual(img.Config.Labels, { l1: 'v1', 'l 2': 'v 2' });
    assert.equal(img.Config.WorkingDir, '/app');
    assert.equal(img.Config.User, '1000:1000');
    assert.deepEqual(img.Config.Entrypoint, ['sh', '-c']);
    assert.deepEqual(img.Config.Cmd, ['echo', 'x']);
    assert.deepEqual(Object.keys(img.Config.ExposedPorts ?? {}).sort(), ['53/udp', '80/tcp']);
    assert.deepEqual(img.Config.Volumes, { '/data': {} });
    assert.equal(img.Config.StopSignal, 'SIGUSR1');
    const files = await run(['--entrypoint', 'sh', '--user', '0', tag, '-c', 'ls -A /app /opt; cat /app/out; stat -c "%u:%g %n" /app/a.txt /opt/x.txt']);
    assert.equal(files, '/app:\n.dockerignore\nDockerfile\na.txt\nout\nsub\n\n/opt:\nx.txt\nhi 1\n0:0 /app/a.txt\n0:0 /opt/x.txt\n');
  });

  test('history has one entry per step with Docker\'s created_by', async () => {
    const r = await docker(['image', 'history', '--no-trunc', '--format', '{{.CreatedBy}}', tag]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n').reverse().slice(-13);
    assert.equal(lines[0], '/bin/sh -c #(nop)  ARG V=1');
    assert.equal(lines[1], '/bin/sh -c #(nop)  ENV A=b C=d');
    assert.match(lines[4]!, /^\/bin\/sh -c #\(nop\) COPY dir:[0-9a-f]{64} in \.\/ $/);
    assert.match(lines[5]!, /^\/bin\/sh -c #\(nop\) COPY file:[0-9a-f]{64} in \/opt\/ $/);
    assert.equal(lines[6], '|1 V=1 /bin/sh -c echo hi $V > /app/out && cat /app/out');
    assert.equal(lines[12], '/bin/sh -c #(nop)  CMD ["echo" "x"]');
  });

  test('a second build uses the cache; a changed build arg reruns RUN', async () => {
    const again = await docker(['build', '--network', 'none', '-t', tag, basicDir]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((again.stdout.match(/ ---> Using cache/g) ?? []).length, 13);
    const arg = await docker(['build', '--network', 'none', '--build-arg', 'V=2', '-t', tag, basicDir]);
    assert.equal(arg.code, 0, arg.stderr);
    assert.match(arg.stdout, /hi 2\n/);
    if (!t().isDocker) assert.match(arg.stdout, /cache miss: RUN echo hi \$V > \/app\/out && cat \/app\/out: build arg V changed\n/);
  });

  test('builder prune empties the build cache; the next build runs every step again', async () => {
    const pr = await docker(['builder', 'prune', '-f']);
    assert.equal(pr.code, 0, pr.stderr);
    assert.match(pr.stdout, /Total reclaimed space: /);
    const sys = await docker(['system', 'prune', '-f']);
    assert.equal(sys.code, 0, sys.stderr);
    if (!t().isDocker) {
      const again = await docker(['build', '--network', 'none', '-t', tag, basicDir]);
      assert.equal(again.code, 0, again.stderr);
      assert.equal((again.stdout.match(/ ---> Using cache/g) ?? []).length, 0);
    }
  });

  test('a changed file misses at its COPY and says which file', async () => {
    const dir = context({ Dockerfile: 'FROM busybox\nCOPY . /app\nRUN cat /app/a.txt\n', 'a.txt': 'one\n', 'b.txt': 'b\n' });
    dirs.push(dir);
    const first = await docker(['build', '--network', 'none', dir]);
    assert.equal(first.code, 0, first.stderr);
    writeFileSync(join(dir, 'a.txt'), 'two\n');
    const second = await docker(['build', '--network', 'none', dir]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /two\n/);
    if (!t().isDocker) {
      assert.match(second.stdout, /cache miss: COPY \. \/app: 1 file changed: a\.txt\n/);
      assert.match(second.stdout, /cache miss: RUN cat \/app\/a\.txt: parent changed\n/);
    }
    const none = await docker(['build', '--network', 'none', '--no-cache', dir]);
    assert.equal(none.code, 0);
    assert.doesNotMatch(none.stdout, /Using cache/);
  });

  test('a failing RUN reports Docker\'s error and exit code, leaves no container or tag', async () => {
    const name = uniq('bt-fail');
    const dir = context({ Dockerfile: 'FROM busybox\nRUN echo before\nRUN exit 3\n' });
    dirs.push(dir);
    const before = (await docker(['ps', '-aq'])).stdout;
    const r = await docker(['build', '--network', 'none', '-t', name, dir]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /The command '\/bin\/sh -c exit 3' returned a non-zero code: 3/);
    assert.equal((await docker(['image', 'inspect', name])).code, 1);
    if (!t().isDocker) assert.equal((await docker(['ps', '-aq'])).stdout, before);
  });

  test('an unknown instruction is a parse error with its line', async () => {
    const dir = context({ Dockerfile: 'FROM busybox\nFOO bar\n' });
    dirs.push(dir);
    const r = await docker(['build', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /dockerfile parse error line 2: unknown instruction: FOO/);
  });

  test('Dockerfile from stdin, -f and --target', async () => {
    const name = uniq('bt-target');
    const dir = context({ 'build.df': 'FROM busybox AS one\nRUN echo one > /one\nFROM busybox AS two\nRUN echo two > /two\nFROM one\nRUN echo three\n', 'x': 'x' });
    dirs.push(dir);
    const r = await docker(['build', '--network', 'none', '-f', join(dir, 'build.df'), '--target', 'two', '-t', name, dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Successfully tagged/);
    assert.equal(await run([name, 'cat', '/two']), 'two\n');
    const stdin = await docker(['build', '-q', '-'], 'FROM busybox\nLABEL from=stdin\n');
    assert.equal(stdin.code, 0, stdin.stderr);
    assert.match(stdin.stdout, /^sha256:[0-9a-f]{64}\n$/);
    await docker(['rmi', '-f', name]);
  });

  test('ADD extracts a local tar.gz inside the image; COPY --chown/--chmod', async () => {
    const name = uniq('bt-add');
    const dir = context({ 'f.txt': 'f\n' });
    dirs.push(dir);
    const { execFileSync } = await import('node:child_process');
    mkdirSync(join(dir, 'tree/sub'), { recursive: true });
    writeFileSync(join(dir, 'tree/sub/in.txt'), 'in\n');
    execFileSync('tar', ['czf', join(dir, 'a.tgz'), '-C', join(dir, 'tree'), '.']);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM busybox\nADD a.tgz /x/\nCOPY --chown=nobody:nogroup f.txt /g.txt\nCOPY --chown=5:6 --chmod=600 f.txt /f.txt\n');
    const r = await docker(['build', '--network', 'none', '-t', name, dir]);
    if (t().isDocker && /chmod/.test(r.stderr)) return; // the classic builder has no --chmod
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await run([name, 'sh', '-c', 'cat /x/sub/in.txt; stat -c "%u:%g %a" /f.txt /g.txt']), 'in\n5:6 600\n65534:65534 644\n');
    await docker(['rmi', '-f', name]);
  });

  test('COPY keeps modes, mtimes and symlinks (one pointing out stays a link), numeric --chown, and the image\'s own directories', async () => {
    const name = uniq('bt-copymeta');
    const dir = context({ 'f.txt': 'f\n', 'd/run.sh': '#!/bin/sh\n', 'd/deep/x': 'x\n' });
    dirs.push(dir);
    const { chmodSync, symlinkSync, utimesSync } = await import('node:fs');
    chmodSync(join(dir, 'd'), 0o750);
    chmodSync(join(dir, 'd/run.sh'), 0o755);
    chmodSync(join(dir, 'f.txt'), 0o640);
    utimesSync(join(dir, 'f.txt'), 1600000000, 1600000000);
    symlinkSync('/etc/passwd', join(dir, 'out'));
    symlinkSync('d/run.sh', join(dir, 'rel'));
    writeFileSync(join(dir, 'Dockerfile'), [
      'FROM busybox',
      'RUN mkdir -p /opt/keep && chmod 1777 /opt/keep && chown 5:6 /opt/keep',
      'COPY . /ctx/',
      'COPY d /opt/keep/d',
      'COPY --chown=7:8 f.txt /tmp/owned.txt',
      'COPY f.txt /etc/',
      '',
    ].join('\n'));
    const r = await docker(['build', '--network', 'none', '-t', name, dir]);
    assert.equal(r.code, 0, r.stderr);
    const paths = '/ctx /ctx/d /ctx/d/run.sh /ctx/d/deep/x /ctx/f.txt /opt/keep /opt/keep/d /opt/keep/d/run.sh /tmp /tmp/owned.txt /etc /etc/f.txt';
    const out = await run([name, 'sh', '-c', `stat -c '%n %a %u:%g' ${paths}; readlink /ctx/out; readlink /ctx/rel; stat -c %Y /ctx/f.txt; cat /ctx/out | head -c 5`]);
    assert.equal(out, [
      '/ctx 755 0:0', '/ctx/d 750 0:0', '/ctx/d/run.sh 755 0:0', '/ctx/d/deep/x 644 0:0', '/ctx/f.txt 640 0:0',
      '/opt/keep 1777 5:6', '/opt/keep/d 755 0:0', '/opt/keep/d/run.sh 755 0:0', '/tmp 1777 0:0', '/tmp/owned.txt 640 7:8',
      '/etc 755 0:0', '/etc/f.txt 640 0:0',
      '/etc/passwd', 'd/run.sh', '1600000000', 'root:', // the link out resolves inside the image
    ].join('\n') + (out.endsWith('\n') ? '\n' : ''));
    await docker(['rmi', '-f', name]);
  });

  test('multi-stage: COPY --from a stage name, an index and an image; unused stages skipped', async () => {
    const name = uniq('bt-multi');
    const dir = context({
      Dockerfile: [
        'FROM busybox AS build',
        'RUN mkdir -p /out/d && echo built > /out/d/f && echo top > /out/top',
        'FROM busybox AS unused',
        'RUN echo never-runs',
        'FROM busybox',
        'COPY --from=build /out/d /copied/',
        'COPY --from=0 /out/top /top.txt',
        'COPY --from=busybox /bin/busybox /bb',
        '',
      ].join('\n'),
    });
    dirs.push(dir);
    const r = await docker(['build', '--network', 'none', '-t', name, dir]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    if (!t().isDocker) assert.doesNotMatch(r.stdout, /never-runs\n/);
    assert.equal(await run([name, 'sh', '-c', 'cat /copied/f /top.txt; test -x /bb && echo bb']), 'built\ntop\nbb\n');
    await docker(['rmi', '-f', name]);
  });

  test('berth build: .dockerignore client-side, -f -, context -, -q, cache explanations', async (tc) => {
    const daemon = t().daemon;
    if (!daemon) return tc.skip('berth CLI only');
    const name = uniq('bt-cli');
    const dir = context({ 'keep.txt': 'k\n', 'skip.log': 'no\n', '.dockerignore': '*.log\n' });
    dirs.push(dir);
    const df = 'FROM busybox\nARG V=1\nCOPY . /c/\nRUN ls -A /c && echo v=$V\n';
    const stdinDf = await daemon.berth(['build', '--network', 'none', '-f', '-', dir], { input: df });
    assert.equal(stdinDf.code, 0, stdinDf.stderr);
    assert.match(stdinDf.stdout, /\.dockerignore\n__dockerfile-[0-9a-f]+\nkeep\.txt\nv=1\n/);
    writeFileSync(join(dir, 'custom.df'), df);
    const first = await daemon.berth(['build', '--network', 'none', '-t', name, '-f', join(dir, 'custom.df'), dir]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^Sending build context to Docker daemon  [\d.]+k?B\n\nStep 1\/4 : FROM busybox\n/);
    assert.match(first.stdout, /\.dockerignore\ncustom\.df\nkeep\.txt\nv=1\n/);
    assert.match(first.stdout, new RegExp(`Successfully tagged ${name}:latest\\n$`));
    const second = await daemon.berth(['build', '--network', 'none', '--build-arg', 'V=2', '-t', name, '-f', join(dir, 'custom.df'), dir]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /cache miss: RUN ls -A \/c && echo v=\$V: build arg V changed\n/);
    const tty = await daemon.berth(['build', '--progress', 'tty', '--build-arg', 'V=3', '-f', join(dir, 'custom.df'), dir]);
    assert.equal(tty.code, 0, tty.stderr);
    assert.match(tty.stdout, /\[4\/4\] RUN ls -A \/c && echo v=\$V\n  => cache miss: RUN ls -A \/c && echo v=\$V: build arg V changed\n(  \| .*\n)+  => DONE \d+\.\ds\n/);
    assert.match(tty.stdout, /\[2\/4\] ARG V=1\n  => CACHED/);
    const quiet = await daemon.berth(['build', '-q', '-'], { input: 'FROM busybox\nLABEL q=1\n' });
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.match(quiet.stdout, /^sha256:[0-9a-f]{64}\n$/);
    const bad = await daemon.berth(['build', '-'], { input: 'FROM busybox\nRUN exit 4\n' });
    assert.equal(bad.code, 4);
    assert.match(bad.stderr, /The command '\/bin\/sh -c exit 4' returned a non-zero code: 4/);
    const hist = await daemon.berth(['image', 'history', '--no-trunc', '--format', '{{.CreatedBy}}', name]);
    assert.equal(hist.code, 0, hist.stderr);
    assert.match(hist.stdout, /^\|1 V=2 \/bin\/sh -c ls -A \/c && echo v=\$V\n/);
    await daemon.berth(['rmi', '-f', name]);
  });

  test('RUN --mount: secrets never reach a layer, cache dirs persist across builds', async (tc) => {
    const daemon = t().daemon;
    if (!daemon) return tc.skip('berth only (the classic builder has no RUN --mount)');
    const name = uniq('bt-mount');
    const dir = context({ 'tok.txt': 's3cret\n' });
    dirs.push(dir);
    const df = [
      'FROM busybox AS tools',
      'RUN mkdir /out && echo from-stage > /out/f',
      'FROM busybox',
      'RUN --mount=type=bind,from=tools,source=/out,target=/m cat /m/f > /m-seen',
      'RUN --mount=type=secret,id=tok cat /run/secrets/tok > /seen',
      'RUN --mount=type=cache,target=/cache echo x >> /cache/log && wc -l < /cache/log',
      'RUN --network=none --mount=type=bind,source=tok.txt,target=/b cat /b',
      '',
    ].join('\n');
    const r = await daemon.berth(['build', '--no-cache', '--secret', `id=tok,src=${join(dir, 'tok.txt')}`, '-t', name, '-f', '-', dir], { input: df });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const again = await daemon.berth(['build', '--no-cache', '--secret', `id=tok,src=${join(dir, 'tok.txt')}`, '-t', name, '-f', '-', dir], { input: df });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /---> Running in [0-9a-f]{12}\n2\n/);
    assert.equal(await run([name, 'sh', '-c', 'cat /m-seen /seen; ls /run/secrets /m 2>/dev/null; ls -A /cache 2>/dev/null; echo end']), 'from-stage\ns3cret\nend\n');
    const hist = await daemon.berth(['image', 'history', '--no-trunc', '--format', '{{.CreatedBy}}', name]);
    assert.doesNotMatch(hist.stdout, /s3cret/);
    await daemon.berth(['rmi', '-f', name]);
  });

  test('ONBUILD triggers run in the child build', async () => {
    const base = uniq('bt-onbuild');
    const child = uniq('bt-child');
    const d1 = context({ Dockerfile: 'FROM busybox\nONBUILD RUN echo triggered > /t\n' });
    const d2 = context({ Dockerfile: `FROM ${base}\nCMD ["cat", "/t"]\n` });
    dirs.push(d1, d2);
    assert.equal((await docker(['build', '--network', 'none', '-t', base, d1])).code, 0);
    const r = await docker(['build', '--network', 'none', '-t', child, d2]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /# Executing 1 build trigger\n/);
    assert.equal(await run([child]), 'triggered\n');
    assert.equal((await inspect(child)).Config.OnBuild, null);
    await docker(['rmi', '-f', child, base]);
  });

  test('heredocs: RUN <<EOF and COPY <<EOF (beyond the classic builder)', async (tc) => {
    if (t().isDocker) return tc.skip('the classic builder has no heredocs');
    const name = uniq('bt-heredoc');
    const dir = context({ Dockerfile: 'FROM busybox\nARG WHO=world\nRUN <<EOF\necho line1 > /h\necho line2 >> /h\nEOF\nCOPY <<EOF /greet.txt\nhello $WHO\nEOF\n' });
    dirs.push(dir);
    const r = await docker(['build', '--network', 'none', '-t', name, dir]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(await run([name, 'cat', '/h', '/greet.txt']), 'line1\nline2\nhello world\n');
    await docker(['rmi', '-f', name]);
  });

  test('a client that goes away mid-RUN stops the build: no tag, no build container left', async (tc) => {
    if (t().isDocker) return tc.skip('berth only (timing of the oracle\'s cleanup is not part of the contract)');
    const name = uniq('bt-gone');
    const tar = await makeTar([{ name: 'Dockerfile', content: 'FROM busybox\nRUN sleep 30\n' }]);
    const req = http.request({ socketPath: t().socket, method: 'POST', path: `/v1.41/build?t=${name}&networkmode=none`, headers: { 'Content-Type': 'application/x-tar' } });
    req.on('error', () => undefined);
    req.end(tar);
    const running = await waitFor(async () => ((await docker(['ps', '-q', '--filter', 'label=io.berth.build'])).stdout.trim() ? true : undefined), 15_000);
    assert.ok(running, 'the RUN container never started');
    req.destroy();
    const gone = await waitFor(async () => ((await docker(['ps', '-aq', '--filter', 'label=io.berth.build'])).stdout.trim() === '' ? true : undefined), 20_000);
    assert.ok(gone, 'the build container was left behind');
    assert.equal((await docker(['image', 'inspect', name])).code, 1);
  });

  test('a RUN after VOLUME leaves no anonymous volume behind', async () => {
    const dir = context({ Dockerfile: 'FROM busybox\nVOLUME /data\nRUN echo x > /data/f\n' });
    dirs.push(dir);
    const before = (await docker(['volume', 'ls', '-q'])).stdout;
    const r = await docker(['build', '--no-cache', '--network', 'none', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await docker(['volume', 'ls', '-q'])).stdout, before);
  });

  test('the cache survives a restart; step containers left by a crash are removed at boot', async (tc) => {
    const daemon = t().daemon;
    if (!daemon) return tc.skip('berth only (restarts its own daemon)');
    const dir = context({ Dockerfile: 'FROM busybox\nRUN echo persisted > /p\n' });
    dirs.push(dir);
    const first = await docker(['build', '--network', 'none', dir]);
    assert.equal(first.code, 0, first.stderr);
    const stray = await docker(['create', '--label', 'io.berth.build=crashed', 'busybox', 'true']);
    assert.equal(stray.code, 0, stray.stderr);
    await daemon.kill9();
    await daemon.start();
    const again = await docker(['build', '--network', 'none', dir]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, / ---> Using cache\n/);
    const left = await docker(['ps', '-aq', '--filter', 'label=io.berth.build']);
    assert.equal(left.stdout, '');
  });
});
