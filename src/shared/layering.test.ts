import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Imports point down (STYLE.md): each module may import only the modules listed for it.
 * `daemon` is the composition root: it may import anything and nothing imports it.
 */
const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src');
const MAY_IMPORT: Record<string, string[]> = {
  shared: [],
  api: ['shared'],
  mount: ['shared'],
  content: ['shared'],
  archive: ['shared'],
  snapshots: ['shared', 'mount'],
  events: ['shared'],
  images: ['shared', 'api', 'content', 'archive', 'snapshots', 'mount'],
  runtime: ['shared', 'api', 'mount'],
  registry: ['shared', 'api', 'content', 'archive', 'images'],
  network: ['shared', 'api'],
  volumes: ['shared', 'api', 'mount', 'archive'],
  builder: ['shared', 'api', 'archive'],
  containers: ['shared', 'api', 'images', 'snapshots', 'runtime', 'mount', 'archive', 'network', 'volumes'],
  server: ['shared', 'api', 'events', 'containers', 'images'],
  'api-client': ['shared', 'api'],
  // `berth registry serve` runs the registry server in the CLI's process; `berth cp` reads
  // and writes tars on the client side.
  cli: ['shared', 'api', 'api-client', 'registry', 'archive'],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

test('every module imports only the layers below it', () => {
  const modules = readdirSync(SRC).filter((d) => statSync(join(SRC, d)).isDirectory());
  const violations: string[] = [];
  for (const mod of modules) {
    if (mod === 'daemon') continue;
    const allowed = MAY_IMPORT[mod];
    assert.ok(allowed, `module ${mod} has no entry in MAY_IMPORT`);
    for (const file of sources(join(SRC, mod))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
        const target = relative(SRC, resolve(dirname(file), m[1]!)).split('/')[0]!;
        if (target === mod || allowed.includes(target)) continue;
        violations.push(`${relative(SRC, file)} imports ${target}`);
      }
    }
  }
  assert.deepEqual(violations, []);
});
