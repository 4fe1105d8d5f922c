import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Which module main.ts runs: the bundle scripts/build-berthd.mjs writes to `dist/berthd/`
 * (one file and lazily loaded chunks instead of ~300 modules: berthd's RSS is 10-20 MB
 * smaller) when it is at least as new as the tsc build beside it, else the unbundled
 * `./berthd.js`, so a tree compiled by `tsc` alone never runs a stale bundle.
 * `BERTHD_UNBUNDLED=1` forces the unbundled modules.
 *
 * @example
 *   const { runDaemon } = await import(daemonModule(import.meta.url));
 */
export function daemonModule(mainUrl: string, env: NodeJS.ProcessEnv = process.env): string {
  const unbundled = new URL('./berthd.js', mainUrl).href;
  if (env.BERTHD_UNBUNDLED === '1') return unbundled;
  const bundle = new URL('../../berthd/berthd.js', mainUrl);
  const built = mtime(new URL('../../.tsbuildinfo', mainUrl)) ?? mtime(new URL(mainUrl));
  const bundled = mtime(bundle);
  return bundled !== undefined && built !== undefined && bundled >= built ? bundle.href : unbundled;
}

function mtime(url: URL): number | undefined {
  try {
    return statSync(fileURLToPath(url)).mtimeMs;
  } catch {
    return undefined;
  }
}
