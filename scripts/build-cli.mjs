#!/usr/bin/env node
// Bundles the berth CLI (run by `npm run build` after tsc):
//   dist/cli/berth-main.cjs        src/cli/bin.ts and everything it imports, one CommonJS file
//                                  (koffi stays external: a native addon, loaded only by `cp`)
//   dist/cli/berth-core.cjs        the same with only the everyday commands (ps, run, inspect...)
//   dist/cli/berth.cjs             the executable (package.json bin): src/cli/launcher.ts, which
//                                  runs one of the two through V8's code cache
//   dist/cli/berth-*.cjs.cache     their code caches, trained here on --help and common commands
// CommonJS, not ESM: esbuild keeps a lazily-loaded module's require() of an external inside
// the module's init, while an ESM bundle hoists every external import to the top.
import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/cli');
const main = join(out, 'berth-main.cjs');
const core = join(out, 'berth-core.cjs');
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

// The core bundle (berth-core.cjs): the same entry with only the everyday commands' modules; the
// registry's other command modules become stubs, so neither they nor what only they import
// (the registry server, bcrypt, build contexts, archives...) are read, deserialized and set up
// at each start. The launcher runs it when argv[0] is one of CORE's words, else berth-main.cjs.
const CORE = {
  ps: 'container/ls', inspect: 'system/inspect', run: 'container/run', create: 'container/create', start: 'container/start',
  stop: 'container/stop', restart: 'container/restart', kill: 'container/kill', wait: 'container/wait', rm: 'container/rm',
  logs: 'container/logs', rename: 'container/rename', exec: 'container/exec', top: 'container/top', port: 'container/port',
  images: 'image/ls', tag: 'image/tag', rmi: 'image/rm', pull: 'image/pull', version: 'system/version',
};
const coreModules = new Set(Object.values(CORE).map((m) => `./commands/${m}.js`));
const coreOnly = {
  name: 'core-commands',
  setup(b) {
    b.onResolve({ filter: /^\.\/commands\/.+\.js$/ }, (a) =>
      a.importer === join(root, 'src/cli/registry.ts') && !coreModules.has(a.path) ? { path: a.path, namespace: 'core-stub' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'core-stub' }, (a) => ({
      contents: `export function register() { throw new Error(${JSON.stringify(`internal error: ${a.path} is not in berth-core.cjs (the launcher runs berth-main.cjs for it)`)}); }`,
      loader: 'js',
    }));
  },
};

/** Bundles src/cli/bin.ts into `file`, its first line naming the build (the launcher only takes a code cache made for it). */
async function bundle(file, extraPlugins) {
  const r = await build({
    ...common,
    entryPoints: [join(root, 'src/cli/bin.ts')],
    plugins: [lazyChildProcess, metaUrl, ...extraPlugins],
    external: ['koffi'],
    // import() of builtins becomes a require() too: the launcher's vm.Script has no ESM loader
    supported: { 'dynamic-import': false },
    write: false,
    outfile: file,
  });
  const code = r.outputFiles[0].text;
  const id = createHash('sha256').update(code).digest('hex').slice(0, 32);
  writeFileSync(file, `// berth-cli ${id}\n${code}`);
}
mkdirSync(out, { recursive: true });
await bundle(main, []);
await bundle(core, [coreOnly]);

await build({
  ...common,
  entryPoints: [join(root, 'src/cli/launcher.ts')],
  banner: { js: '#!/usr/bin/env -S -u NODE_EXTRA_CA_CERTS node' },
  define: { BERTH_CORE_COMMANDS: JSON.stringify(Object.keys(CORE)) },
  outfile: launcher,
});
chmodSync(launcher, 0o755);

// The code cache: the launcher writes one at exit when none fits, and grows it by each command
// it has not seen (src/cli/launcher.ts). Trained here on `--help`, `--version` and the common
// commands against a fake daemon (dist/src/api-client/testing/fake-daemon.js, from tsc), so
// their first run starts warm too.
for (const f of [main, core]) rmSync(`${f}.cache`, { force: true });
const run = spawnSync(process.execPath, [launcher, '--help'], { encoding: 'utf8' });
if (run.status !== 0) {
  process.stderr.write(`build-cli: ${launcher} --help failed (${run.status}): ${run.stderr}\n`);
  process.exit(1);
}
await train();

/** Runs the bundle's common commands against a fake daemon, each adding its code to the cache. */
async function train() {
  let FakeDaemon;
  try {
    ({ FakeDaemon } = await import(join(root, 'dist/src/api-client/testing/fake-daemon.js')));
  } catch {
    process.stderr.write('build-cli: no dist/src/api-client/testing/fake-daemon.js (tsc failed?): code cache trained on --help only\n');
    return;
  }
  const d = await FakeDaemon.start();
  const id = 'c0ffee'.repeat(10) + 'c0fe';
  const summary = (i) => ({
    Id: `${i}${id.slice(1)}`, Names: [`/web${i}`], Image: 'busybox', ImageID: `sha256:${'b'.repeat(64)}`, Command: 'sleep 3600', Created: Math.floor(Date.now() / 1000) - 60 * i,
    Ports: i % 2 ? [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080 + i, Type: 'tcp' }] : [], Labels: { pb: 'batch' }, State: 'running', Status: `Up ${i + 1} minutes`,
    HostConfig: { NetworkMode: 'default' }, NetworkSettings: { Networks: { bridge: { IPAddress: `10.0.0.${i + 2}` } } }, Mounts: [],
  });
  const inspect = {
    Id: id, Created: new Date().toISOString(), Path: 'sleep', Args: ['3600'], State: { Status: 'running', Running: true, Pid: 42, ExitCode: 0, StartedAt: new Date().toISOString(), FinishedAt: '0001-01-01T00:00:00Z' },
    Image: `sha256:${'b'.repeat(64)}`, Name: '/web0', RestartCount: 0, Driver: 'overlay2', Platform: 'linux', MountLabel: '', ProcessLabel: '', AppArmorProfile: '', ExecIDs: null,
    HostConfig: { NetworkMode: 'default', RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, LogConfig: { Type: 'json-file', Config: {} }, Binds: null, PortBindings: {} },
    GraphDriver: { Name: 'overlay2', Data: { UpperDir: '/x/upper', WorkDir: '/x/work' } }, Mounts: [],
    Config: { Hostname: 'c0ffeec0ffee', Env: ['PATH=/usr/bin'], Cmd: ['sleep', '3600'], Image: 'busybox', Labels: { pb: 'batch' }, Tty: false, OpenStdin: false },
    NetworkSettings: { Bridge: '', Ports: {}, IPAddress: '10.0.0.2', Networks: { bridge: { IPAddress: '10.0.0.2', Gateway: '10.0.0.1', MacAddress: '02:42:0a:00:00:02' } } },
  };
  d.on('GET /containers/json', (_q, res) => d.json(res, 200, [0, 1, 2, 3].map(summary)));
  d.on('GET /containers/:id/json', (_q, res) => d.json(res, 200, inspect));
  d.on('GET /images/json', (_q, res) => d.json(res, 200, [{ Id: `sha256:${'b'.repeat(64)}`, RepoTags: ['busybox:latest'], RepoDigests: [], Created: 1700000000, Size: 4261550, Labels: null, Containers: -1, SharedSize: -1, ParentId: '' }]));
  d.on('POST /containers/create', (_q, res) => d.json(res, 201, { Id: id, Warnings: [] }));
  d.on('POST /containers/:id/start', (_q, res) => void res.writeHead(204).end());
  d.on('POST /containers/:id/wait', (_q, res) => d.json(res, 200, { StatusCode: 0 }));
  d.on('DELETE /containers/:id', (_q, res) => void res.writeHead(204).end());
  d.onUpgrade('/containers/:id/attach', (_q, socket) => setTimeout(() => socket.end(), 20));
  const env = { ...process.env, DOCKER_HOST: `unix://${d.socketPath}` };
  delete env.NODE_EXTRA_CA_CERTS;
  try {
    for (const args of [['--version'], ['ps'], ['ps', '-a', '--format', '{{.ID}} {{.Names}}'], ['inspect', id.slice(0, 12)], ['inspect', '-f', '{{.State.Status}}', 'web0'], ['images'], ['run', '--rm', 'busybox', 'true'], ['rm', '-f', 'web0']]) {
      const r = await new Promise((resolve) => {
        const c = spawn(process.execPath, [launcher, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        c.stderr.on('data', (b) => (err += b));
        c.on('close', (status) => resolve({ status, err }));
      });
      if (r.status !== 0) process.stderr.write(`build-cli: training run \`berth ${args.join(' ')}\` exited ${r.status}: ${r.err}\n`);
    }
  } finally {
    await d.stop();
  }
}
const size = (f) => `${(readFileSync(f).length / 1024).toFixed(0)} KiB`;
process.stdout.write(`build-cli: ${launcher} -> ${main} (${size(main)}, code cache ${size(`${main}.cache`)}), ${core} (${size(core)}, code cache ${size(`${core}.cache`)})\n`);
