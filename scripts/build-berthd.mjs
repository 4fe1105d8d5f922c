#!/usr/bin/env node
// Bundles berthd (run by `npm run build` after tsc): dist/berthd/berthd.js is src/daemon/berthd.ts
// and everything it imports, as ES modules split at every dynamic import(), so what berthd
// loads only on first use (the builder, the registry client, the embedded DNS) stays in its
// own chunk until then. dist/src/daemon/main.js (package.json bin.berthd) runs this bundle
// when it is at least as new as the tsc build, else the unbundled modules.
// Why: one file instead of ~300 modules saves 10-20 MB of berthd's RSS (the ES module
// loader's records and the per-module source and code), measured in bench/memory-bench.sh.
// Workers: a `new URL('./x.js', import.meta.url)` in src/ names a worker entry; each one is
// bundled too (dist/berthd/x.js, beside the chunks that refer to it).
// koffi stays external (a native addon, found in node_modules).
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The output directory: dist/berthd, or the first argument (a private build tree).
const out = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist/berthd');

/** The .ts files under dir, tests excluded. */
function sources(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

const workerRef = /new URL\(\s*['"]\.\/([\w.-]+)\.js['"]\s*,\s*import\.meta\.url\s*\)/g;
const workers = new Map();
for (const file of sources(join(root, 'src'))) {
  if (file.startsWith(join(root, 'src/cli/'))) continue;
  for (const m of readFileSync(file, 'utf8').matchAll(workerRef)) {
    const entry = join(dirname(file), `${m[1]}.ts`);
    statSync(entry);
    if (workers.has(m[1]) && workers.get(m[1]) !== entry) throw new Error(`build-berthd: two worker entries named ${m[1]}`);
    workers.set(m[1], entry);
  }
}

rmSync(out, { recursive: true, force: true });
const r = await build({
  entryPoints: [join(root, 'src/daemon/berthd.ts'), ...workers.values()],
  bundle: true,
  splitting: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outdir: out,
  entryNames: '[name]',
  chunkNames: '[name]-[hash]',
  external: ['koffi'],
  // Whitespace and syntax minified (less to keep and parse), identifiers kept (stack traces, class names).
  minifyWhitespace: true,
  minifySyntax: true,
  // A CommonJS dependency's require() of a Node built-in needs a require in ES module scope.
  banner: { js: "import { createRequire as __berthdRequire } from 'node:module'; const require = __berthdRequire(import.meta.url);" },
  legalComments: 'eof',
  logLevel: 'warning',
  metafile: true,
});
for (const name of workers.keys()) statSync(join(out, `${name}.js`));
const bytes = Object.values(r.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
const files = Object.keys(r.metafile.outputs).length;
const entry = join(out, 'berthd.js');
process.stdout.write(`build-berthd: ${relative(root, entry)} (${files} files, ${(bytes / 1024).toFixed(0)} KiB${workers.size ? `, workers: ${[...workers.keys()].map((w) => basename(w)).join(', ')}` : ''})\n`);
