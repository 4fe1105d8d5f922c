import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync, existsSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOCKER_CLI, forEachTarget, runCommand, uniq } from './harness.js';
import { BERTH_JS } from './lib/paths.js';
import type { Target } from './harness.js';

/** `docker cp` and `docker diff` through the official CLI, same scenarios on berth and Docker. */
forEachTarget('docker cp / diff', (t) => {
  const run = uniq('cp-run');
  const stopped = uniq('cp-stopped');
  const differ = uniq('cp-diff');
  const bound = uniq('cp-bind');
  const readOnly = uniq('cp-ro');
  let work = '';
  const sh = (tg: Target, script: string) => runCommand('sh', ['-c', script], { env: { ...process.env, ...tg.env() } });

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'berth-cp-e2e-'));
    const r = await t().docker(['run', '-d', '--name', run, 'busybox', 'sleep', '300']);
    assert.equal(r.code, 0, r.stderr);
    const e = await t().docker(['exec', run, 'sh', '-c', 'echo hi >/tmp/f && mkdir -p /d/e && echo z >/d/e/z && ln -s /etc /x && echo marker:x:1:1::/:/bin/false >>/etc/passwd']);
    assert.equal(e.code, 0, e.stderr);
    const c = await t().docker(['create', '--name', stopped, 'busybox', 'cat', '/tmp/in/file.txt']);
    assert.equal(c.code, 0, c.stderr);
  });
  after(async () => {
    try {
      await t().docker(['rm', '-f', run, stopped, differ, bound, readOnly]);
    } catch {
      // target already torn down
    }
    rmSync(work, { recursive: true, force: true });
  });

  test('cp a file and a directory out of a running container', async () => {
    const out = join(work, 'out1');
    mkdirSync(out);
    const f = await t().docker(['cp', `${run}:/tmp/f`, join(out, 'f')]);
    assert.equal(f.code, 0, f.stderr);
    assert.equal(readFileSync(join(out, 'f'), 'utf8'), 'hi\n');
    const d = await t().docker(['cp', `${run}:/d`, out]);
    assert.equal(d.code, 0, d.stderr);
    assert.equal(readFileSync(join(out, 'd/e/z'), 'utf8'), 'z\n');
    const dot = await t().docker(['cp', `${run}:/d/.`, join(out, 'dot')]);
    assert.equal(dot.code, 0, dot.stderr);
    assert.equal(readFileSync(join(out, 'dot/e/z'), 'utf8'), 'z\n');
  });

  test('cp a file and a directory into a running container', async () => {
    const src = join(work, 'in1');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'sub', 'a.txt'), 'A\n');
    writeFileSync(join(work, 'single.txt'), 'single\n');
    const f = await t().docker(['cp', join(work, 'single.txt'), `${run}:/tmp/renamed.txt`]);
    assert.equal(f.code, 0, f.stderr);
    const d = await t().docker(['cp', src, `${run}:/opt`]);
    assert.equal(d.code, 0, d.stderr);
    const r = await t().docker(['exec', run, 'sh', '-c', 'cat /tmp/renamed.txt /opt/sub/a.txt']);
    assert.equal(r.stdout, 'single\nA\n');
  });

  test('tar streams with -', async () => {
    const out = await sh(t(), `${DOCKER_CLI} cp ${run}:/d - | tar tf - | sort`);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout, 'd/\nd/e/\nd/e/z\n');
    const src = join(work, 'tarsrc');
    mkdirSync(src);
    writeFileSync(join(src, 'streamed.txt'), 'via tar\n');
    const put = await sh(t(), `tar cf - -C ${src} streamed.txt | ${DOCKER_CLI} cp - ${run}:/tmp`);
    assert.equal(put.code, 0, put.stderr);
    const r = await t().docker(['exec', run, 'cat', '/tmp/streamed.txt']);
    assert.equal(r.stdout, 'via tar\n');
  });

  test('missing paths: exit 1 with the daemon error', async () => {
    const out = await t().docker(['cp', `${run}:/nope`, join(work, 'nope')]);
    assert.equal(out.code, 1);
    assert.match(out.stderr, new RegExp(`Could not find the file /nope in container ${run}`));
    writeFileSync(join(work, 'x.txt'), 'x');
    const into = await t().docker(['cp', join(work, 'x.txt'), `${run}:/nope/dir/x.txt`]);
    assert.equal(into.code, 1);
    assert.match(into.stderr, new RegExp(`Could not find the file /nope/dir in container ${run}`));
    const notDir = await t().docker(['cp', join(work, 'x.txt'), `${run}:/tmp/f/x.txt`]);
    assert.equal(notDir.code, 1);
    assert.match(notDir.stderr, /extraction point is not a directory|not a directory/);
  });

  test('a symlink to /etc resolves inside the container', async () => {
    const dest = join(work, 'passwd');
    const r = await t().docker(['cp', `${run}:/x/passwd`, dest]);
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(dest, 'utf8');
    assert.match(text, /^root:x:0:0:root:\/root:\/bin\/sh$/m);
    assert.match(text, /^marker:x:1:1::\/:\/bin\/false$/m);
    const link = await t().docker(['cp', `${run}:/x`, join(work, 'link')]);
    assert.equal(link.code, 0, link.stderr);
    assert.equal(readlinkSync(join(work, 'link')), '/etc');
    const followed = await t().docker(['cp', '-L', `${run}:/x`, join(work, 'linkL')]);
    assert.equal(followed.code, 0, followed.stderr);
    assert.ok(lstatSync(join(work, 'linkL')).isDirectory());
  });

  test('HEAD archive: the path stat header', async () => {
    const res = await t().api('HEAD', `/containers/${run}/archive?path=/x`);
    assert.equal(res.status, 200);
    const raw = res.headers['x-docker-container-path-stat'];
    assert.ok(typeof raw === 'string', 'no stat header');
    const stat = JSON.parse(Buffer.from(raw, 'base64').toString());
    assert.deepEqual({ ...stat, mtime: typeof stat.mtime }, { name: 'x', size: 4, mode: 134218239, mtime: 'string', linkTarget: '/etc' });
    assert.match(stat.mtime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const missing = await t().api('GET', `/containers/${run}/archive?path=/nope`);
    assert.equal(missing.status, 404);
    assert.equal(missing.json<{ message: string }>().message, `Could not find the file /nope in container ${run}`);
  });

  test('cp into and out of a created (never started) container', async () => {
    const src = join(work, 'in');
    mkdirSync(src);
    writeFileSync(join(src, 'file.txt'), 'before start\n');
    const put = await t().docker(['cp', src, `${stopped}:/tmp/in`]);
    assert.equal(put.code, 0, put.stderr);
    const back = await t().docker(['cp', `${stopped}:/tmp/in/file.txt`, join(work, 'back.txt')]);
    assert.equal(back.code, 0, back.stderr);
    assert.equal(readFileSync(join(work, 'back.txt'), 'utf8'), 'before start\n');
    const started = await t().docker(['start', '-a', stopped]);
    assert.equal(started.code, 0, started.stderr);
    assert.equal(started.stdout, 'before start\n');
    // exited now: still readable and writable
    const again = await t().docker(['cp', join(work, 'x2.txt'), `${stopped}:/tmp`]);
    assert.equal(again.code, 1, 'copying a missing local file must fail');
    writeFileSync(join(work, 'x2.txt'), 'after exit\n');
    const put2 = await t().docker(['cp', join(work, 'x2.txt'), `${stopped}:/tmp`]);
    assert.equal(put2.code, 0, put2.stderr);
    const out = join(work, 'x2-back');
    const get2 = await t().docker(['cp', `${stopped}:/tmp/x2.txt`, out]);
    assert.equal(get2.code, 0, get2.stderr);
    assert.equal(readFileSync(out, 'utf8'), 'after exit\n');
  });

  test('diff lists added, changed and deleted paths', async () => {
    const r = await t().docker(['run', '-d', '--name', differ, 'busybox', 'sleep', '300']);
    assert.equal(r.code, 0, r.stderr);
    const none = await t().docker(['diff', differ]);
    assert.equal(none.code, 0, none.stderr);
    assert.equal(none.stdout, '');
    const e = await t().docker(['exec', differ, 'sh', '-c', 'echo hi >/tmp/f && mkdir -p /d/e && echo z >/d/e/z && rm /bin/vi && echo x >>/etc/group']);
    assert.equal(e.code, 0, e.stderr);
    const d = await t().docker(['diff', differ]);
    assert.equal(d.code, 0, d.stderr);
    const lines = d.stdout.trim().split('\n').sort();
    assert.deepEqual(lines, ['A /d', 'A /d/e', 'A /d/e/z', 'A /tmp/f', 'C /bin', 'C /etc', 'C /etc/group', 'C /tmp', 'D /bin/vi'].sort());
    const missing = await t().docker(['diff', 'no-such-container-h9']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No such container: no-such-container-h9/);
    assert.ok(!existsSync(join(work, 'nope')));
  });

  /** Raw PUT of a tar file through curl (status + body). */
  async function putTar(file: string, query: string): Promise<{ status: number; body: string }> {
    const r = await runCommand('curl', ['-s', '-XPUT', '-H', 'Content-Type: application/x-tar', '-T', file, '--unix-socket', t().socket, '-w', '\n%{http_code}', `http://x/containers/${run}/archive?${query}`]);
    const lines = r.stdout.split('\n');
    return { status: Number(lines.pop()), body: lines.join('\n') };
  }

  test('PUT archive: gzip accepted, escapes and dir/non-dir overwrites refused', async () => {
    const src = join(work, 'gz');
    mkdirSync(src);
    writeFileSync(join(src, 'gz.txt'), 'gzipped\n');
    const mk = await runCommand('sh', ['-c', `tar czf ${work}/gz.tgz -C ${src} gz.txt && tar cf ${work}/d.tar -C ${src} --transform s/gz.txt/d/ gz.txt`]);
    assert.equal(mk.code, 0, mk.stderr);
    const gz = await putTar(join(work, 'gz.tgz'), 'path=/tmp');
    assert.equal(gz.status, 200, gz.body);
    assert.equal((await t().docker(['exec', run, 'cat', '/tmp/gz.txt'])).stdout, 'gzipped\n');
    const over = await putTar(join(work, 'd.tar'), 'path=/&noOverwriteDirNonDir=1');
    assert.equal(over.status, 500);
    assert.equal(JSON.parse(over.body).message, 'Error processing tar file(exit status 1): cannot overwrite directory "/d" with non-directory "/"');
    const evil = await runCommand('python3', ['-c', `import tarfile,io\nt=tarfile.open('${work}/evil.tar','w')\ni=tarfile.TarInfo('../../evil');d=b'evil';i.size=len(d);t.addfile(i,io.BytesIO(d));t.close()`]);
    assert.equal(evil.code, 0, evil.stderr);
    const esc = await putTar(join(work, 'evil.tar'), 'path=/tmp');
    assert.equal(esc.status, 500);
    assert.equal(JSON.parse(esc.body).message, 'Error processing tar file(exit status 1): "../../evil" is outside of "/tmp"');
    const ls = await t().docker(['exec', run, 'sh', '-c', 'ls /evil /tmp/evil 2>/dev/null; echo done']);
    assert.equal(ls.stdout, 'done\n');
  });

  test('cp through a bind mount lands in the bind source', async () => {
    const host = join(work, 'bindsrc');
    mkdirSync(host);
    writeFileSync(join(host, 'from-host.txt'), 'host side\n');
    const r = await t().docker(['run', '-d', '--name', bound, '-v', `${host}:/mnt/b`, 'busybox', 'sleep', '300']);
    assert.equal(r.code, 0, r.stderr);
    writeFileSync(join(work, 'to-bind.txt'), 'into bind\n');
    const put = await t().docker(['cp', join(work, 'to-bind.txt'), `${bound}:/mnt/b/`]);
    assert.equal(put.code, 0, put.stderr);
    assert.equal(readFileSync(join(host, 'to-bind.txt'), 'utf8'), 'into bind\n');
    const get = await t().docker(['cp', `${bound}:/mnt/b/from-host.txt`, join(work, 'from-bind.txt')]);
    assert.equal(get.code, 0, get.stderr);
    assert.equal(readFileSync(join(work, 'from-bind.txt'), 'utf8'), 'host side\n');
  });

  test('berth CLI cp and diff against the same engine', async () => {
    const berth = (args: string[]) => runCommand(process.execPath, [BERTH_JS, '-H', `unix://${t().socket}`, ...args]);
    const out = join(work, 'berth-out');
    const g = await berth(['cp', `${run}:/d`, out]);
    assert.equal(g.code, 0, g.stderr);
    assert.equal(readFileSync(join(out, 'e/z'), 'utf8'), 'z\n');
    writeFileSync(join(work, 'berth-in.txt'), 'berth in\n');
    const p = await berth(['cp', join(work, 'berth-in.txt'), `${run}:/tmp/berth-renamed.txt`]);
    assert.equal(p.code, 0, p.stderr);
    assert.equal((await t().docker(['exec', run, 'cat', '/tmp/berth-renamed.txt'])).stdout, 'berth in\n');
    const m = await berth(['cp', `${run}:/nope`, join(work, 'x')]);
    assert.equal(m.code, 1);
    assert.equal(m.stderr, `Error response from daemon: Could not find the file /nope in container ${run}\n`);
    const both = await berth(['cp', `${run}:/a`, `${run}:/b`]);
    assert.equal(both.code, 1);
    assert.equal(both.stderr, 'copying between containers is not supported\n');
    const viaDocker = await t().docker(['diff', run]);
    const viaBerth = await berth(['diff', run]);
    assert.equal(viaBerth.code, 0, viaBerth.stderr);
    assert.deepEqual(viaBerth.stdout.split('\n').sort(), viaDocker.stdout.split('\n').sort());
  });

  test('cp into a read-only rootfs is refused', async () => {
    const r = await t().docker(['run', '-d', '--read-only', '--name', readOnly, 'busybox', 'sleep', '300']);
    assert.equal(r.code, 0, r.stderr);
    writeFileSync(join(work, 'ro.txt'), 'ro\n');
    const put = await t().docker(['cp', join(work, 'ro.txt'), `${readOnly}:/tmp`]);
    assert.equal(put.code, 1);
    assert.equal(put.stderr, 'Error response from daemon: container rootfs is marked read-only\n');
  });
});
