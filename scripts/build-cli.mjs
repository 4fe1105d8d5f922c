#!/usr/bin/env node
// Bundles the berth CLI (run by `npm run build` after tsc):
//   dist/cli/berth-main.cjs        src/cli/bin.ts and everything it imports, one CommonJS file
//                                  (koffi stays external: a native addon, loaded only by `cp`)
//   dist/cli/berth.cjs             the executable (package.json bin): src/cli/launcher.ts, which
//                                  runs berth-main.cjs through V8's code cache
//   dist/cli/berth-main.cjs.cache  that code cache, made here by one run of the CLI (`--help`)
// CommonJS, not ESM: esbuild keeps a lazily-loaded module's require() of an external inside
// the module's init, while an ESM bundle hoists every external import to the top.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/cli');
const main = join(out, 'berth-main.cjs');
const launcher = join(out, 'berth.cjs');

// Whitespace and syntax minified (less to read and parse), identifiers kept (stack traces, class names).
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning', legalComments: 'eof', minifyWhitespace: true, minifySyntax: true };

// node:child_process is required at load by commander (for executable subcommands, unused)
// and attach-session.ts (stty, with -t only): a proxy that loads it on first use saves its
// ~1-2 ms at every start. Calls go through the proxy (`cp.spawn(...)`), so it stays exact.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (a) =>
      a.namespace === 'lazy' ? { path: 'node:child_process', external: true } : { path: 'child_process', namespace: 'lazy' },
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
      contents: "let m; const load = () => (m ??= require('node:child_process')); module.exports = new Proxy({}, { get: (_, k) => load()[k], has: (_, k) => k in load() });",
      loader: 'js',
    }));
  },
};

// import.meta.url in a bundled module becomes the URL of its tsc output under dist/src, found from
// the bundle's own directory at run time: files beside a module (a worker script such as
// archive/apply-worker.js) are found where tsc put them. main.ts then does not run itself.
const metaUrl = {
  name: 'import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (a) => {
      const text = await readFile(a.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const js = relative(join(root, 'dist/cli'), join(root, 'dist', relative(root, a.path))).replace(/\.ts$/, '.js');
      const url = `require('node:url').pathToFileURL(require('node:path').join(__dirname, ${JSON.stringify(js)})).href`;
      return { contents: text.replaceAll('import.meta.url', `(${url})`), loader: 'ts' };
    });
  },
};

const r = await build({
  ...common,
  entryPoints: [join(root, 'src/cli/bin.ts')],
  plugins: [lazyChildProcess, metaUrl],
  external: ['koffi'],
  // import() of builtins becomes a require() too: the launcher's vm.Script has no ESM loader
  supported: { 'dynamic-import': false },
  write: false,
  outfile: main,
});
const code = r.outputFiles[0].text;
// The first line identifies this build; the launcher only takes a code cache made for it.
const id = createHash('sha256').update(code).digest('hex').slice(0, 32);
mkdirSync(out, { recursive: true });
writeFileSync(main, `// berth-cli ${id}\n${code}`);

await build({
  ...common,
  entryPoints: [join(root, 'src/cli/launcher.ts')],
  banner: { js: '#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node' },
  outfile: launcher,
});
chmodSync(launcher, 0o755);

// The code cache: the launcher writes one at exit when none fits; one run makes it.
rmSync(`${main}.cache`, { force: true });
const run = spawnSync(process.execPath, [launcher, '--help'], { encoding: 'utf8' });
if (run.status !== 0) {
  process.stderr.write(`build-cli: ${launcher} --help failed (${run.status}): ${run.stderr}\n`);
  process.exit(1);
}
const size = (f) => `${(readFileSync(f).length / 1024).toFixed(0)} KiB`;
process.stdout.write(`build-cli: ${launcher} -> ${main} (${size(main)}, code cache ${size(`${main}.cache`)})\n`);
