import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Script } from 'node:vm';

/**
 * The `berth` executable (dist/cli/berth.cjs, built as CommonJS by scripts/build-cli.mjs; never
 * run from dist/src). It compiles the bundled CLI (berth-main.cjs beside it) with V8's code
 * cache (berth-main.cjs.cache) so a start skips parsing and compiling the bundle.
 *
 * The cache file starts with `CACHE_MAGIC <build id>\n`, the id being the one on the bundle's
 * first line (a hash of its content): a cache made for another build is ignored, and V8 itself
 * rejects data from another V8 version or flag set (`cachedDataRejected`). A missing or
 * rejected cache is rewritten at exit (temporary file + rename; errors ignored, e.g. a
 * read-only install), so the next start uses it.
 *
 * @example
 *   $ dist/cli/berth.cjs ps        # the package.json bin
 */
const CACHE_MAGIC = 'berth-code-cache-v1';

const dir = __dirname;
const bundle = `${dir}/berth-main.cjs`;
const cacheFile = `${bundle}.cache`;
const source = readFileSync(bundle, 'utf8');
const id = source.slice(0, source.indexOf('\n'));
const header = Buffer.from(`${CACHE_MAGIC} ${id}\n`);

let cachedData: Buffer | undefined;
try {
  const raw = readFileSync(cacheFile);
  if (raw.length > header.length && raw.subarray(0, header.length).equals(header)) cachedData = raw.subarray(header.length);
} catch {
  // no cache yet
}

const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: bundle,
  cachedData,
});
if (!cachedData || script.cachedDataRejected) process.once('exit', () => writeCache(script));

const mod = { exports: {} };
(script.runInThisContext() as (...a: unknown[]) => void).call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, dir);

function writeCache(s: Script): void {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([header, s.createCachedData()]));
    renameSync(tmp, cacheFile);
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing written
    }
  }
}
