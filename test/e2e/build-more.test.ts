import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readTar } from '../../src/archive/index.js';
import { baseRootfsTar, forEachTarget, uniq } from './harness.js';

// Build scenarios beyond build.test.ts: docker history / image sizes, --cache-from and ADD <url>,
// the same assertions against berth and Docker's classic builder.

interface HistoryItem {
  Id: string;
  CreatedBy: string;
  Size: number;
}

function context(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-build-more-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

/** What Docker counts as the size of a layer made from this tar: file bytes plus symlink target lengths. */
async function dockerLayerSize(tar: string): Promise<number> {
  let n = 0;
  for await (const e of readTar(createReadStream(tar))) {
    if (e.header.type === 'file') n += e.header.size;
    if (e.header.type === 'symlink') n += Buffer.byteLength(e.header.linkname);
    for await (const _ of e.body()) void _;
  }
  return n;
}

/** A loopback HTTP server for ADD <url>: fixed files with a fixed Last-Modified, 404 for the rest. */
const LAST_MODIFIED = 'Wed, 21 Oct 2015 07:28:00 GMT';
const LAST_MODIFIED_S = Date.parse(LAST_MODIFIED) / 1000;
const served: Record<string, string> = { '/files/hello.txt': 'hello url\n', '/files/': 'an index\n' };

forEachTarget('docker build: sizes, --cache-from, ADD <url>', (t) => {
  const dirs: string[] = [];
  const images: string[] = [];
  let server: http.Server;
  let base = '';
  let closedPort = 0;

  const docker = (args: string[]) => t().docker(args);
  const build = async (args: string[]): Promise<{ out: string; id: string }> => {
    const r = await docker(['build', '--network', 'none', ...args]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const id = /Successfully built ([0-9a-f]{12})\n/.exec(r.stdout)?.[1];
    assert.ok(id, r.stdout);
    images.push(id);
    return { out: r.stdout, id };
  };
  const history = async (ref: string): Promise<HistoryItem[]> => {
    const r = await t().api('GET', `/images/${ref}/history`);
    assert.equal(r.status, 200);
    return r.json<HistoryItem[]>();
  };
  const imageSize = async (ref: string): Promise<number> => {
    const r = await docker(['image', 'inspect', '-f', '{{.Size}}', ref]);
    assert.equal(r.code, 0, r.stderr);
    return Number(r.stdout.trim());
  };

  before(async () => {
    server = http.createServer((req, res) => {
      const body = served[req.url ?? ''];
      if (body === undefined) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('nope\n');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Last-Modified': LAST_MODIFIED }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const gone = http.createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    closedPort = (gone.address() as AddressInfo).port;
    await new Promise<void>((resolve) => gone.close(() => resolve()));
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    for (const id of images.reverse()) await docker(['rmi', '-f', id]);
  });

  test('history and image Size count the bytes of files and symlinks, not tar bytes; metadata steps are 0', async () => {
    // a symlink inside a copied directory stays a symlink (one named as a source is followed)
    const dir = context({ Dockerfile: 'FROM busybox\nCOPY d /c/\nRUN printf abc > /x\nENV E=1\n', 'd/a.bin': 'z'.repeat(1000) });
    symlinkSync('a.bin', join(dir, 'd', 'l'));
    dirs.push(dir);
    const { id } = await build([dir]);
    const h = await history(id);
    const baseSize = await imageSize('busybox');
    assert.equal(baseSize, await dockerLayerSize(baseRootfsTar()), 'busybox: file bytes + symlink target lengths');
    assert.deepEqual(h.slice(0, 3).map((x) => [x.CreatedBy.replace(/[0-9a-f]{64}/, 'H'), x.Size]), [
      ['/bin/sh -c #(nop)  ENV E=1', 0],
      ['/bin/sh -c printf abc > /x', 3],
      ['/bin/sh -c #(nop) COPY dir:H in /c/ ', 1000 + 'a.bin'.length],
    ]);
    assert.equal(h.at(-1)!.Size, baseSize);
    assert.equal(await imageSize(id), baseSize + 1000 + 5 + 3);
  });

  test('--cache-from uses a loaded image\'s history as cache; without it nothing is cached', async () => {
    const tag = uniq('bm-cf');
    const dir = context({ Dockerfile: 'FROM busybox\nENV CF=1\nCOPY f.txt /f.txt\nRUN echo built > /b.txt\nCMD ["cat", "/b.txt"]\n', 'f.txt': 'F\n' });
    dirs.push(dir);
    const first = await build(['-t', tag, dir]);
    const full = (await docker(['image', 'inspect', '-f', '{{.Id}}', tag])).stdout.trim();
    const saved = join(dir, '..', `${tag}.tar`);
    try {
      assert.equal((await docker(['save', '-o', saved, tag])).code, 0);
      const rmi = await docker(['rmi', tag]);
      assert.equal(rmi.code, 0, rmi.stderr);
      assert.equal((await docker(['image', 'inspect', first.id])).code, 1, 'the image and its build parents are gone');
      const load = await docker(['load', '-i', saved]);
      assert.equal(load.code, 0, load.stderr);
    } finally {
      rmSync(saved, { force: true });
    }
    // a loaded image is no cache of its own: the steps run again
    const plain = await build(['-t', `${tag}:plain`, dir]);
    assert.doesNotMatch(plain.out, /Using cache/);
    assert.notEqual(plain.id, first.id);
    // with --cache-from every step after FROM is found in its history, and the result is the image itself
    const cached = await build(['--cache-from', tag, '-t', `${tag}:again`, dir]);
    assert.equal(cached.out.match(/ ---> Using cache\n/g)?.length, 4, cached.out);
    assert.doesNotMatch(cached.out, /Running in/);
    assert.equal((await docker(['image', 'inspect', '-f', '{{.Id}}', `${tag}:again`])).stdout.trim(), full);
    const run = await docker(['run', '--rm', '--network', 'none', `${tag}:again`]);
    assert.equal(run.stdout, 'built\n');
    // a name that does not resolve is skipped, as dockerd does
    const missing = await build(['--cache-from', 'no-such-image-bm:1', dir]);
    assert.match(missing.out, /Successfully built/);
    await docker(['rmi', '-f', tag, `${tag}:plain`, `${tag}:again`]);
  });

  test('ADD <url>: named from the URL or dest, mode 0600, mtime from Last-Modified, cached on the content', async () => {
    const dir = context({ Dockerfile: `FROM busybox\nADD ${base}/files/hello.txt /dl/\nADD ${base}/files/hello.txt /named.txt\nRUN stat -c '%a %s %Y %U' /dl/hello.txt /named.txt && cat /named.txt\n` });
    dirs.push(dir);
    const first = await build(['--no-cache', dir]);
    assert.match(first.out, new RegExp(`600 10 ${LAST_MODIFIED_S} root\\n600 10 ${LAST_MODIFIED_S} root\\nhello url\\n`));
    const h = await history(first.id);
    assert.match(h[2]!.CreatedBy, /^\/bin\/sh -c #\(nop\) ADD [0-9a-f]{64} in \/dl\/ $/);
    assert.equal(h[2]!.Size, 10);
    const again = await build([dir]);
    assert.equal(again.out.match(/ ---> Using cache\n/g)?.length, 3, again.out);
    assert.equal(again.id, first.id);
    served['/files/hello.txt'] = 'changed!!\n';
    try {
      const changed = await build([dir]);
      assert.doesNotMatch(changed.out.split('Step 3/4')[0]!, /Using cache/);
      assert.match(changed.out, /changed!!\n/);
    } finally {
      served['/files/hello.txt'] = 'hello url\n';
    }
  });

  test('ADD <url> of a tar is not extracted', async () => {
    served['/files/a.tar'] = 'x'.repeat(1024);
    const dir = context({ Dockerfile: `FROM busybox\nADD ${base}/files/a.tar /t/\nRUN test -f /t/a.tar && stat -c %s /t/a.tar\n` });
    dirs.push(dir);
    const r = await build(['--no-cache', dir]);
    assert.match(r.out, /\n1024\n/);
  });

  test('ADD <url> failures in Docker\'s words: 404, refused, no file name; COPY refuses a URL', async () => {
    const fail = async (line: string): Promise<string> => {
      const dir = context({ Dockerfile: `FROM busybox\n${line}\n` });
      dirs.push(dir);
      const r = await docker(['build', '--network', 'none', dir]);
      assert.equal(r.code, 1, r.stdout);
      return r.stdout + r.stderr;
    };
    assert.match(await fail(`ADD ${base}/missing.txt /dl/`), new RegExp(`ADD failed: failed to GET ${base}/missing.txt with status 404 Not Found: nope\\n`));
    assert.match(await fail(`ADD http://127.0.0.1:${closedPort}/x.txt /dl/`), new RegExp(`ADD failed: Get "http://127.0.0.1:${closedPort}/x.txt": dial tcp 127.0.0.1:${closedPort}: connect: connection refused\\n`));
    assert.match(await fail(`ADD ${base}/files/ /dl/`), new RegExp(`ADD failed: cannot determine filename for source ${base}/files/\\n`));
    assert.match(await fail(`COPY ${base}/files/hello.txt /dl/`), /COPY failed: source can't be a URL for COPY\n/);
  });
});
