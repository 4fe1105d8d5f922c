import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { receiveContext } from '../context/receive-context.js';
import { makeTar, type TarSpec } from '../context/test-tars.js';
import type { BuildContext } from '../context/build-context.js';
import { BuildCache } from './build-cache.js';
import { runBuild, type BuildOptions } from './build.js';
import { ownerIds } from './chown.js';
import { FakeEngine } from './fake-ports.js';

let workDir = '';
let engine: FakeEngine;
const contexts: BuildContext[] = [];

beforeEach(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'berth-dispatch-'));
  engine = new FakeEngine();
  engine.addImage('busybox:latest', { Env: ['PATH=/bin'], Cmd: ['sh'] });
});
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.dispose();
  await rm(workDir, { recursive: true, force: true });
});

async function ctxOf(dockerfile: string, files: TarSpec[] = []): Promise<BuildContext> {
  const c = await receiveContext([await makeTar([{ name: 'Dockerfile', content: dockerfile }, ...files])], { workDir });
  contexts.push(c);
  return c;
}

async function build(dockerfile: string, opts: BuildOptions = {}, files: TarSpec[] = [], cache = BuildCache.memory()): Promise<{ id: string; text: string; aux: unknown[] }> {
  const lines: string[] = [];
  const aux: unknown[] = [];
  const id = await runBuild(engine.ports, cache, await ctxOf(dockerfile, files), opts, { stream: (s) => lines.push(s), aux: (a) => aux.push(a) });
  return { id, text: lines.join(''), aux };
}

const norm = (s: string): string => s.replace(/[0-9a-f]{12}/g, 'X');

test('metadata steps: config and history as Docker writes them, one step container each', async () => {
  const { id, text, aux } = await build('FROM busybox\nARG V=1\nENV A=b C=$A\nLABEL k=v\nEXPOSE 80 53/udp\nUSER 5\nVOLUME /d\nSTOPSIGNAL SIGINT\nENTRYPOINT ["e"]\nCMD c\n', { tags: ['app'] });
  const img = engine.images.get(id)!;
  assert.deepEqual(img.config.Env, ['PATH=/bin', 'A=b', 'C=']);
  assert.deepEqual(img.config.Labels, { k: 'v' });
  assert.deepEqual(img.config.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
  assert.equal(img.config.User, '5');
  assert.deepEqual(img.config.Volumes, { '/d': {} });
  assert.equal(img.config.StopSignal, 'SIGINT');
  assert.deepEqual(img.config.Entrypoint, ['e']);
  assert.deepEqual(img.config.Cmd, ['/bin/sh', '-c', 'c']);
  assert.deepEqual(engine.history(id).slice(1), [
    '/bin/sh -c #(nop)  ARG V=1',
    '/bin/sh -c #(nop)  ENV A=b C=',
    '/bin/sh -c #(nop)  LABEL k=v',
    '/bin/sh -c #(nop)  EXPOSE 53/udp 80',
    '/bin/sh -c #(nop)  USER 5',
    '/bin/sh -c #(nop)  VOLUME [/d]',
    '/bin/sh -c #(nop)  STOPSIGNAL SIGINT',
    '/bin/sh -c #(nop)  ENTRYPOINT ["e"]',
    '/bin/sh -c #(nop)  CMD ["/bin/sh" "-c" "c"]',
  ]);
  assert.match(norm(text), /^Step 1\/10 : FROM busybox\n ---> X\nStep 2\/10 : ARG V=1\n ---> Running in X\nRemoving intermediate container X\n ---> X\n/);
  assert.match(text, /Successfully built [0-9a-f]{12}\nSuccessfully tagged app:latest\n$/);
  assert.deepEqual(aux, [{ ID: id }]);
  assert.equal(engine.containers.size, 0, 'every step container removed');
});

test('ENTRYPOINT resets an inherited CMD but keeps one set in the same stage', async () => {
  const a = await build('FROM busybox\nENTRYPOINT ["e"]\n');
  assert.equal(engine.images.get(a.id)!.config.Cmd, null);
  const b = await build('FROM busybox\nCMD ["x"]\nENTRYPOINT ["e"]\n');
  assert.deepEqual(engine.images.get(b.id)!.config.Cmd, ['x']);
});

test('RUN: shell form through SHELL, build args in env and history, proxies only in env', async () => {
  const { id } = await build('FROM busybox\nARG V\nSHELL ["/bin/bash", "-e", "-c"]\nRUN echo $V\nRUN ["ls", "/"]\n', { buildArgs: { V: '7', http_proxy: 'p' } });
  const creates = engine.calls.filter((c) => c.op === 'commit').map((c) => c.detail);
  assert.deepEqual(creates, ['|1 V=7 /bin/bash -e -c echo $V', '|1 V=7 ls /']);
  const runCreate = engine.calls.find((c) => c.op === 'create' && Array.isArray(c.detail) && (c.detail as string[]).includes('echo $V'))!;
  assert.deepEqual(runCreate.detail, ['/bin/bash', '-e', '-c', 'echo $V']);
  assert.deepEqual(engine.images.get(id)!.config.Env, ['PATH=/bin'], 'args never reach the image config');
});

test('a failing RUN: Docker\'s message and code, container removed, nothing tagged', async () => {
  engine.scripts.set('exit 3', { code: 3, output: 'oops\n' });
  const lines: string[] = [];
  await assert.rejects(
    runBuild(engine.ports, BuildCache.memory(), await ctxOf('FROM busybox\nRUN exit 3\n'), { tags: ['bad'] }, { stream: (s) => lines.push(s), aux: () => undefined }),
    (err: Error & { code?: number }) => err.message === "The command '/bin/sh -c exit 3' returned a non-zero code: 3" && err.code === 3,
  );
  assert.match(lines.join(''), /oops\n$/);
  assert.equal(engine.tags.has('bad:latest'), false);
  assert.equal(engine.containers.size, 0);
});

test('cache: hits print Using cache, misses explain themselves', async () => {
  const cache = BuildCache.memory();
  const df = 'FROM busybox\nARG V=1\nCOPY *.js /app/\nRUN echo $V\n';
  const files = (a: string): TarSpec[] => [{ name: 'a.js', content: a }, { name: 'b.js', content: 'b' }];
  const first = await build(df, {}, files('1'), cache);
  assert.doesNotMatch(first.text, /cache miss|Using cache/);
  const second = await build(df, {}, files('1'), cache);
  assert.equal(second.id, first.id);
  assert.equal(second.text.match(/Using cache/g)?.length, 3);
  const third = await build(df, {}, files('2'), cache);
  assert.match(third.text, /cache miss: COPY \*\.js \/app\/: 1 file changed: a\.js\n/);
  assert.match(third.text, /cache miss: RUN echo \$V: parent changed\n/);
  const fourth = await build(df, { buildArgs: { V: '2' } }, files('2'), cache);
  assert.match(fourth.text, /cache miss: RUN echo \$V: build arg V changed\n/);
  const edited = await build(df.replace('echo $V', 'echo $V!'), {}, files('2'), cache);
  assert.match(edited.text, /cache miss: RUN echo \$V!: instruction changed\n/);
  const fifth = await build(df, { noCache: true }, files('2'), cache);
  assert.doesNotMatch(fifth.text, /Using cache|cache miss/);
});

test('cache survives a restart (persistent index)', async () => {
  const path = join(workDir, 'cache', 'cache.json');
  const df = 'FROM busybox\nRUN echo hi\n';
  const first = await build(df, {}, [], await BuildCache.open(path));
  assert.match(await readFile(path, 'utf8'), /"schemaVersion":1/);
  const again = await build(df, {}, [], await BuildCache.open(path));
  assert.equal(again.id, first.id);
  assert.match(again.text, /Using cache/);
});

test('COPY: directory contents, files into a dir, --chown/--chmod, WORKDIR-relative dest', async () => {
  await build('FROM busybox\nWORKDIR /w\nCOPY --chown=5:6 --chmod=600 src ./\nCOPY one two /multi/\n', {}, [
    { name: 'src/x', content: 'x', mode: 0o755 },
    { name: 'one', content: '1' },
    { name: 'two', content: '2' },
  ]);
  const copies = engine.calls.filter((c) => c.op === 'copy').map((c) => c.detail);
  assert.deepEqual(copies, [['/w/x'], ['/multi/one', '/multi/two']]);
  assert.deepEqual(engine.calls.filter((c) => c.op === 'mkdir').map((c) => c.detail), ['/w']);
});

test('COPY with several sources needs a directory destination', async () => {
  await assert.rejects(build('FROM busybox\nCOPY a b /x\n', {}, [{ name: 'a' }, { name: 'b' }]), /destination must be a directory and end with a \//);
});

test('multi-stage: --target stops early, unused stages are not built, COPY --from a stage', async () => {
  const df = 'FROM busybox AS a\nRUN echo a\nFROM busybox AS unused\nRUN echo unused\nFROM busybox AS c\nCOPY --from=a /x /y\nFROM busybox\nRUN echo last\n';
  const r = await build(df, { target: 'c' });
  const runs = engine.calls.filter((c) => c.op === 'commit').map((c) => c.detail);
  assert.deepEqual(runs, ['/bin/sh -c echo a', '/bin/sh -c #(nop) COPY from:' + runs[1]!.toString().split('from:')[1]]);
  assert.match(r.text, /Step 1\/4 : FROM busybox AS a\n/);
  assert.doesNotMatch(r.text, /cache miss/);
  assert.equal(engine.calls.find((c) => c.op === 'copy-from')!.detail !== undefined, true);
  await assert.rejects(build(df, { target: 'nope' }), /failed to reach build target nope in Dockerfile/);
});

test('ONBUILD triggers run when the image is used as a base', async () => {
  const base = await build('FROM busybox\nONBUILD RUN echo trigger\n', { tags: ['base'] });
  assert.deepEqual(engine.images.get(base.id)!.config.OnBuild, ['RUN echo trigger']);
  const child = await build('FROM base\nCMD ["x"]\n');
  assert.match(child.text, /# Executing 1 build trigger\n/);
  assert.ok(engine.calls.some((c) => c.op === 'commit' && c.detail === '/bin/sh -c echo trigger'));
  assert.equal(engine.images.get(child.id)!.config.OnBuild, null);
});

test('unused build args are reported; labels option adds a last LABEL', async () => {
  const r = await build('FROM busybox\n', { buildArgs: { NOPE: 'x' }, labels: { a: 'b' } });
  assert.match(r.text, /\[Warning\] One or more build-args \[NOPE\] were not consumed\n/);
  assert.deepEqual(engine.images.get(r.id)!.config.Labels, { a: 'b' });
});

test('RUN --mount=type=secret and cache become bind mounts, never layers', async () => {
  const cacheRoot = join(workDir, 'cache-mounts');
  await build('FROM busybox\nRUN --mount=type=secret,id=tok --mount=type=cache,target=/root/.cache cat /run/secrets/tok\n', {
    secrets: { tok: '/host/tok' },
    cacheMountRoot: cacheRoot,
  });
  const spec = [...engine.calls].find((c) => c.op === 'create' && Array.isArray(c.detail) && (c.detail as string[]).at(-1)!.startsWith('cat'));
  assert.ok(spec);
});

test('independent stages build in parallel; output stays in stage order', async () => {
  let running = 0;
  let peak = 0;
  const run = engine.ports.containers.run;
  engine.ports.containers.run = async (id, onOutput) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, 30));
    running--;
    return run(id, onOutput);
  };
  engine.scripts.set('echo a', { code: 0, output: 'A\n' });
  engine.scripts.set('echo b', { code: 0, output: 'B\n' });
  const r = await build('FROM busybox AS a\nRUN echo a\nFROM busybox AS b\nRUN echo b\nFROM busybox\nCOPY --from=a /x /x\nCOPY --from=b /y /y\n');
  assert.equal(peak, 2);
  assert.match(norm(r.text), /Step 1\/7 : FROM busybox AS a\n ---> X\nStep 2\/7 : RUN echo a\n ---> Running in X\nA\nRemoving intermediate container X\n ---> X\nStep 3\/7 : FROM busybox AS b\n ---> X\nStep 4\/7 : RUN echo b\n ---> Running in X\nB\n/);
  await assert.rejects(build('FROM busybox AS a\nCOPY --from=a /x /x\n'), /refers to current build stage/);
});

test('a failing stage fails the build and stops the others', async () => {
  engine.scripts.set('exit 1', { code: 1 });
  await assert.rejects(build('FROM busybox AS a\nRUN exit 1\nFROM busybox AS b\nRUN echo b\nRUN echo c\nFROM busybox\nCOPY --from=a /x /x\nCOPY --from=b /y /y\n'), /returned a non-zero code: 1/);
  assert.equal(engine.containers.size, 0);
});

test('--chown with names reads the image\'s passwd and group; unknown names fail like Docker', async () => {
  engine.files.set('/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nwww:x:33:34::/var/www:/bin/false\n');
  engine.files.set('/etc/group', 'root:x:0:\nstaff:x:50:\nwww:x:34:\n');
  await build('FROM busybox\nCOPY --chown=www a /a\nCOPY --chown=www:staff a /b\n', {}, [{ name: 'a', content: 'a' }]);
  assert.deepEqual(engine.copied.map((e) => [e.path, e.uid, e.gid]), [['/a', 33, 34], ['/b', 33, 50]]);
  await assert.rejects(build('FROM busybox\nCOPY --chown=ghost a /a\n', {}, [{ name: 'a' }]), /can't find uid for user ghost: no such user: ghost/);
});

test('ownerIds: names, numbers, primary groups', () => {
  const passwd = 'www:x:33:34::/:/bin/false\n';
  const group = 'staff:x:50:\n';
  assert.throws(() => ownerIds({ user: 'www' }, passwd, group), /can't find gid for group www: no such group: www/);
  assert.deepEqual(ownerIds({ user: 'www' }, passwd, `${group}www:x:34:\n`), { uid: 33, gid: 34 });
  assert.deepEqual(ownerIds({ user: 'www', group: 'staff' }, passwd, group), { uid: 33, gid: 50 });
  assert.deepEqual(ownerIds({ user: '7' }, passwd, group), { uid: 7, gid: 7 });
  assert.deepEqual(ownerIds({ user: '7', group: '9' }, passwd, group), { uid: 7, gid: 9 });
  assert.throws(() => ownerIds({ user: 'www', group: 'nope' }, passwd, group), /no such group: nope/);
});

test('RUN --mount=type=bind,from=<stage> binds a copy of the stage path', async () => {
  let mounts: unknown;
  const create = engine.ports.containers.create;
  engine.ports.containers.create = async (spec) => {
    if (spec.mounts?.length) mounts = spec.mounts;
    return create(spec);
  };
  await build('FROM busybox AS tools\nRUN echo t\nFROM busybox\nRUN --mount=type=bind,from=tools,source=/bin,target=/tools ls /tools\n');
  const exported = engine.calls.find((c) => c.op === 'export')!.detail as { path: string };
  assert.equal(exported.path, '/bin');
  assert.match(JSON.stringify(mounts), /"target":"\/tools","readOnly":true/);
});
