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
// Boot: src/daemon's dynamic imports of what boot loads anyway (compose, the services, the
// trimmer) are made static here (plugin below), so boot reads one file instead of ~40 chunks;
// only LAZY stays a chunk of its own. Why: resolving ~40 chunks' imports runs the ES module
// loader's URL/path code often enough that TurboFan compiles it at boot, and its first run
// leaves ~3.5 MB of the compiler's machine code resident (bench/memory-bench.sh, boot RSS).
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
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

/** Dynamic imports in src/daemon that stay lazy chunks: loaded on first use, or only on some hosts. */
const LAZY = new Set(['../registry/client/index.js', '../network/dns/index.js', './build-backend.js', '../runtime/cgroups-check.js']);
const bootImport = /(?<!typeof\s+)\bimport\((['"])(\.{1,2}\/[^'"]+)\1\)/g;
/** Rewrites src/daemon's `import('./x.js')` of a boot-time module into a static namespace import. */
const staticBoot = {
  name: 'static-boot-imports',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]daemon[\\/][^\\/]+\.ts$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      const heads = [];
      const body = src
        .split('\n')
        .map((line) => (/^\s*(\/\/|\*|\/\*)/.test(line) ? line : line.replace(bootImport, (m, _q, spec) => {
          if (LAZY.has(spec)) return m;
          heads.push(`import * as __boot${heads.length} from '${spec}';`);
          return `Promise.resolve(__boot${heads.length - 1})`;
        })))
        .join('\n');
      return heads.length ? { contents: `${heads.join(' ')}\n${body}`, loader: 'ts' } : undefined;
    });
  },
};

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
  plugins: [staticBoot],
});
for (const name of workers.keys()) statSync(join(out, `${name}.js`));
// the tsc-built entry is berthd's bin (its shebang drops NODE_EXTRA_CA_CERTS and sets the
// threadpool and malloc variables): executable, as scripts/setup.sh installs it and the benches run it
const bin = join(root, 'dist/src/daemon/main.js');
if (!process.argv[2] && existsSync(bin)) chmodSync(bin, 0o755);
const bytes = Object.values(r.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
const files = Object.keys(r.metafile.outputs).length;
const entry = join(out, 'berthd.js');
process.stdout.write(`build-berthd: ${relative(root, entry)} (${files} files, ${(bytes / 1024).toFixed(0)} KiB${workers.size ? `, workers: ${[...workers.keys()].map((w) => basename(w)).join(', ')}` : ''})\n`);
