import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Imports point down: server knows HTTP and the service contracts, never the daemon or service implementations. */
const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src');
const ALLOWED: Record<string, RegExp> = {
  server: /^(shared|api|events)\/|^containers\/container-service\.js$|^images\/image-service\.js$/,
  events: /^shared\//,
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

test('server and events import only down the layers', () => {
  let checked = 0;
  for (const [mod, allowed] of Object.entries(ALLOWED)) {
    for (const f of files(join(SRC, mod))) {
      for (const m of readFileSync(f, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
        const target = relative(SRC, resolve(dirname(f), m[1]));
        checked++;
        if (target.startsWith(`${mod}/`)) continue;
        assert.match(target, allowed, `${relative(SRC, f)} imports ${target}`);
      }
    }
  }
  assert.ok(checked > 20);
});
