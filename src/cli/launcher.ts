import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Script } from 'node:vm';

/**
 * The `berth` executable (dist/cli/berth.cjs, built as CommonJS by scripts/build-cli.mjs; never
 * run from dist/src). It compiles the bundled CLI beside it with V8's code cache (<bundle>.cache)
 * so a start skips parsing and compiling the bundle: berth-core.cjs (the everyday commands only,
 * a smaller bundle to read and set up) when argv[0] is one of its commands, else berth-main.cjs.
 * Each bundle has its own cache.
 *
 * V8 compiles a function when it first runs, and a code cache holds the functions compiled
 * before it was made: the cache grows by command. Its first line is
 * `CACHE_MAGIC <build id> <commands>`: the id is the one on the bundle's first line (a hash of
 * its content), so a cache made for another build is ignored, and V8 itself rejects data from
 * another V8 version or flag set (`cachedDataRejected`); <commands> are the command words whose
 * code the cache already holds. A run whose command is not among them (or with no usable
 * cache) rewrites the cache at exit with what this process compiled on top of what it loaded
 * (temporary file + rename; errors ignored, e.g. a read-only install): the first `berth ps`
 * pays a few ms once and the next ones start warm. The build trains it on the common commands.
 *
 * @example
 *   $ dist/cli/berth.cjs ps        # the package.json bin
 */
const CACHE_MAGIC = 'berth-code-cache-v2';
/** Commands a cache records at most (then it stops growing). */
const MAX_COMMANDS = 64;

/** The command words berth-core.cjs serves (defined by scripts/build-cli.mjs). */
declare const BERTH_CORE_COMMANDS: readonly string[];

const dir = __dirname;
// argv[0] exactly: with global flags first (`-H x ps`), the whole CLI runs, as it always can
const bundle = `${dir}/${BERTH_CORE_COMMANDS.includes(process.argv[2] ?? '') ? 'berth-core.cjs' : 'berth-main.cjs'}`;
const cacheFile = `${bundle}.cache`;
const source = readFileSync(bundle, 'utf8');
const id = source.slice(0, source.indexOf('\n'));
const prefix = Buffer.from(`${CACHE_MAGIC} ${id} `);
const command = commandWord(process.argv.slice(2));

let cachedData: Buffer | undefined;
let trained: string[] = [];
try {
  const raw = readFileSync(cacheFile);
  const eol = raw.indexOf(10);
  if (eol > prefix.length && raw.subarray(0, prefix.length).equals(prefix)) {
    trained = raw.subarray(prefix.length, eol).toString('latin1').split(',');
    cachedData = raw.subarray(eol + 1);
  }
} catch {
  // no cache yet
}

const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: bundle,
  cachedData,
});
if (!cachedData || script.cachedDataRejected) process.once('exit', () => writeCache(script, [command]));
else if (!trained.includes(command) && trained.length < MAX_COMMANDS) process.once('exit', () => writeCache(script, [...trained, command]));

const mod = { exports: {} };
(script.runInThisContext() as (...a: unknown[]) => void).call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, dir);

/**
 * What a run is keyed by in the cache: the first plain word of argv (`-` for none), with `:help`
 * when it asks for help (`ps --help` runs none of the code `ps` runs).
 */
function commandWord(argv: string[]): string {
  const word = argv.find((a) => /^[a-z][a-z-]{0,31}$/.test(a)) ?? '-';
  return argv.includes('--help') || argv.includes('-h') ? `${word}:help` : word;
}

function writeCache(s: Script, commands: string[]): void {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([Buffer.from(`${CACHE_MAGIC} ${id} ${commands.join(',')}\n`), s.createCachedData()]));
    renameSync(tmp, cacheFile);
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing written
    }
  }
}
