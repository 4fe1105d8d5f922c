import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readTar } from '../../archive/index.js';
import { copyLayer, type StatPaths } from './copy-layer.js';
import type { CopyEntry, PathStat } from './ports.js';

const dir = (mode: number, uid = 0, gid = 0): PathStat => ({ type: 'dir', mode, uid, gid, mtimeMs: 1_500_000_000_000 });
const image = (paths: Record<string, PathStat>): { stat: StatPaths; asked: string[][] } => {
  const asked: string[][] = [];
  return {
    asked,
    stat: async (ps) => {
      asked.push(ps);
      return new Map(ps.filter((p) => paths[p]).map((p) => [p, paths[p]!]));
    },
  };
};
const file = (path: string, content: string, extra: Partial<CopyEntry> = {}): CopyEntry => {
  const b = Buffer.from(content);
  return { path, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 1_600_000_000, size: b.length, open: async function* () { yield b; }, ...extra };
};

async function entries(tar: NodeJS.ReadableStream | AsyncIterable<Buffer>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of readTar(tar as AsyncIterable<Buffer>)) {
    const h = e.header;
    let body = '';
    for await (const c of e.body()) body += c.toString();
    out.push(`${h.type} ${h.name} ${h.mode.toString(8)} ${h.uid}:${h.gid}${h.linkname ? ` -> ${h.linkname}` : ''}${body ? ` ${JSON.stringify(body)}` : ''}`);
  }
  return out;
}

test('the layer holds the image\'s own parent directories as they are, new ones as root 0755, entries parents first', async () => {
  const img = image({ '/etc': dir(0o755), '/opt': dir(0o1777, 5, 6) });
  const tar = await copyLayer([
    file('/opt/app/bin/run', 'x', { mode: 0o755, uid: 7, gid: 8 }),
    { path: '/opt/app/lib', type: 'dir', mode: 0o750, uid: 7, gid: 8 },
    { path: '/opt/app/lib/link', type: 'symlink', mode: 0o777, uid: 7, gid: 8, linkname: '/etc/passwd' },
    file('/etc/app.conf', 'conf'),
  ], ['/opt/app'], img.stat);
  assert.ok(tar);
  assert.deepEqual(await entries(tar), [
    'directory etc/ 755 0:0',
    'file etc/app.conf 644 0:0 "conf"',
    'directory opt/ 1777 5:6',
    'directory opt/app/ 755 0:0',
    'directory opt/app/bin/ 755 0:0',
    'file opt/app/bin/run 755 7:8 "x"',
    'directory opt/app/lib/ 750 7:8',
    'symlink opt/app/lib/link 777 7:8 -> /etc/passwd',
  ]);
});

test('a later entry for the same path wins', async () => {
  const tar = await copyLayer([file('/a', 'one'), file('/a', 'two')], [], image({}).stat);
  assert.deepEqual(await entries(tar!), ['file a 644 0:0 "two"']);
});

test('copies that need a step container are left to it', async () => {
  const cases: [string, CopyEntry[], Record<string, PathStat>][] = [
    ['an archive to extract', [{ path: '/x', type: 'archive', hostPath: '/tmp/a.tgz', mode: 0o755, uid: 0, gid: 0 }], {}],
    ['a parent that is a symlink in the image', [file('/lib/x', 'x')], { '/lib': { ...dir(0o777), type: 'symlink' } }],
    ['a parent that is a file in the image', [file('/f/x', 'x')], { '/f': { ...dir(0o644), type: 'file' } }],
    ['a file over a directory of the image', [file('/etc', 'x')], { '/etc': dir(0o755) }],
    ['a directory over a file of the image', [{ path: '/f', type: 'dir', mode: 0o755, uid: 0, gid: 0 }], { '/f': { ...dir(0o644), type: 'file' } }],
    ['a name overlay reads as a whiteout', [file('/d/.wh.x', 'x')], {}],
    ['a directory and a file at one path', [{ path: '/p', type: 'dir', mode: 0o755, uid: 0, gid: 0 }, file('/p', 'x')], {}],
  ];
  for (const [what, list, paths] of cases) assert.equal(await copyLayer(list, [], image(paths).stat), undefined, what);
});
