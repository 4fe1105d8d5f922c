import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import ignore from '@balena/dockerignore';
import { DockerIgnore, selectContextPaths, type WalkEntry } from './dockerignore.js';
import { walkDirectory } from './walk-directory.js';

const DIRS = ['src/lib/deep', 'docs', 'node_modules/m', '.git', 'build', 'empty', 'sub/empty'];
const FILES = [
  'a.txt', 'b.md', 'c.txt', 'src/x.js', 'src/y.ts', 'src/lib/z.js', 'src/lib/deep/w.js', 'docs/readme.md',
  'docs/guide.txt', 'node_modules/m/index.js', '.git/HEAD', 'build/out.o', 'build/keep.txt', 'sub/a.md',
];

/**
 * Measured on the Docker oracle (docker CLI 28 + Docker 20.10 classic builder): the tree above,
 * the Dockerfile `FROM busybox / COPY . /ctx / RUN cd /ctx && find . | sort`, and the
 * `.dockerignore` of each case; `paths` is what `find` printed.
 */
const ORACLE: { dockerignore: string; paths: string[] }[] = [
  {
    dockerignore: "node_modules\n.git\n*.md\n",
    paths: [".dockerignore", "Dockerfile", "a.txt", "build", "build/keep.txt", "build/out.o", "c.txt", "docs", "docs/guide.txt", "docs/readme.md", "empty", "src", "src/lib", "src/lib/deep", "src/lib/deep/w.js", "src/lib/z.js", "src/x.js", "src/y.ts", "sub", "sub/a.md", "sub/empty"],
  },
  {
    dockerignore: "**/*.js\n!src/lib/**\n",
    paths: [".dockerignore", ".git", ".git/HEAD", "Dockerfile", "a.txt", "b.md", "build", "build/keep.txt", "build/out.o", "c.txt", "docs", "docs/guide.txt", "docs/readme.md", "empty", "node_modules", "node_modules/m", "src", "src/lib", "src/lib/deep", "src/lib/deep/w.js", "src/lib/z.js", "src/y.ts", "sub", "sub/a.md", "sub/empty"],
  },
  {
    dockerignore: "*\n!src\nsrc/lib\n",
    paths: ["src", "src/x.js", "src/y.ts"],
  },
  {
    dockerignore: "build\n!build/keep.txt\n",
    paths: [".dockerignore", ".git", ".git/HEAD", "Dockerfile", "a.txt", "b.md", "build", "build/keep.txt", "c.txt", "docs", "docs/guide.txt", "docs/readme.md", "empty", "node_modules", "node_modules/m", "node_modules/m/index.js", "src", "src/lib", "src/lib/deep", "src/lib/deep/w.js", "src/lib/z.js", "src/x.js", "src/y.ts", "sub", "sub/a.md", "sub/empty"],
  },
  {
    dockerignore: "# comment\n/src/lib/\n  docs  \n!docs/readme.md\nDockerfile\n.dockerignore\n",
    paths: [".git", ".git/HEAD", "a.txt", "b.md", "build", "build/keep.txt", "build/out.o", "c.txt", "docs", "docs/readme.md", "empty", "node_modules", "node_modules/m", "node_modules/m/index.js", "src", "src/x.js", "src/y.ts", "sub", "sub/a.md", "sub/empty"],
  },
  {
    dockerignore: "src/*/deep\n?.txt\n[ab].*\n",
    paths: [".dockerignore", ".git", ".git/HEAD", "Dockerfile", "build", "build/keep.txt", "build/out.o", "docs", "docs/guide.txt", "docs/readme.md", "empty", "node_modules", "node_modules/m", "node_modules/m/index.js", "src", "src/lib", "src/lib/z.js", "src/x.js", "src/y.ts", "sub", "sub/a.md", "sub/empty"],
  },
  {
    dockerignore: "**\n!**/*.ts\n!Dockerfile\n",
    paths: ["Dockerfile"],
  },
  {
    dockerignore: "**/*.md\n!sub\nempty\n",
    paths: [".dockerignore", ".git", ".git/HEAD", "Dockerfile", "a.txt", "build", "build/keep.txt", "build/out.o", "c.txt", "docs", "docs/guide.txt", "node_modules", "node_modules/m", "node_modules/m/index.js", "src", "src/lib", "src/lib/deep", "src/lib/deep/w.js", "src/lib/z.js", "src/x.js", "src/y.ts", "sub", "sub/empty"],
  },
  {
    dockerignore: "*/\n!docs/\n",
    paths: ["docs", "docs/guide.txt", "docs/readme.md"],
  },
  {
    dockerignore: "src/../a.txt\n./c.txt\n!/c.txt\nsrc/lib/*\n!src/lib/deep\n",
    paths: [".dockerignore", ".git", ".git/HEAD", "Dockerfile", "b.md", "build", "build/keep.txt", "build/out.o", "c.txt", "docs", "docs/guide.txt", "docs/readme.md", "empty", "node_modules", "node_modules/m", "node_modules/m/index.js", "src", "src/lib", "src/lib/deep", "src/lib/deep/w.js", "src/x.js", "src/y.ts", "sub", "sub/a.md", "sub/empty"],
  },
];

/** What a COPY . sees: the CLI's selection, minus what the daemon hides, with parent directories. */
function copied(entries: WalkEntry[], text: string): string[] {
  const rules = DockerIgnore.parse(text);
  const sent = selectContextPaths(entries, rules, 'Dockerfile').filter(
    (p) => !((p === '.dockerignore' || p === 'Dockerfile') && rules.matches(p)),
  );
  const all = new Set(sent);
  for (const p of sent) for (let d = dirname(p); d !== '.'; d = dirname(d)) all.add(d);
  return [...all].sort();
}

test('.dockerignore selection matches what Docker copied, case by case', async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-ignore-test-'));
  try {
    for (const d of DIRS) await mkdir(join(root, d), { recursive: true });
    for (const f of FILES) await writeFile(join(root, f), `${f}\n`);
    await writeFile(join(root, 'Dockerfile'), 'FROM busybox\n');
    await writeFile(join(root, '.dockerignore'), '');
    const entries: WalkEntry[] = [];
    for await (const e of walkDirectory(root)) entries.push(e);
    for (const c of ORACLE) assert.deepEqual(copied(entries, c.dockerignore), [...c.paths].sort(), c.dockerignore);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a later exception does not re-include what an earlier pattern matched below it (Docker >= 20.10)', () => {
  const rules = DockerIgnore.parse('**/*.md\n!sub\n');
  const walk = [{ path: 'sub', dir: true }, { path: 'sub/a.md', dir: false }];
  assert.deepEqual(selectContextPaths(walk, rules), ['sub']);
  // @balena/dockerignore on its own follows Docker 19.03 here, which is why the walk logic is ours
  assert.equal(ignore.default({ ignorecase: false }).add(['**/*.md', '!sub']).ignores('sub/a.md'), false);
});

test('pattern lines are read as Docker reads them', () => {
  const rules = DockerIgnore.parse('\ufeff# comment\n  # not a comment\r\n\n /abs/path/ \n! spaced\n./dot/../clean\n**/x\n');
  assert.deepEqual(rules.patterns, [
    { pattern: '# not a comment', exclusion: false },
    { pattern: 'abs/path', exclusion: false },
    { pattern: 'spaced', exclusion: true },
    { pattern: 'clean', exclusion: false },
    { pattern: '**/x', exclusion: false },
  ]);
  assert.equal(rules.matches('abs/path/below/file'), true);
  assert.equal(rules.matches('a/b/x'), true);
  assert.equal(rules.matches('x'), true);
  assert.equal(rules.matches('X'), false, 'matching is case-sensitive');
});

test('the CLI skips an excluded directory unless an exception points inside it', () => {
  const rules = DockerIgnore.parse('node_modules\n!node_modules/keep/**\nbuild\n');
  assert.equal(rules.canSkipDir('node_modules'), false);
  assert.equal(rules.canSkipDir('build'), true);
  assert.equal(DockerIgnore.parse('build\n').canSkipDir('build'), true);
});
