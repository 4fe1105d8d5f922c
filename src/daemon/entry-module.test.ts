import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { daemonModule } from './entry-module.js';

test('main.ts runs the bundle only when it is at least as new as the tsc build', (t) => {
  const dist = mkdtempSync(join(tmpdir(), 'berth-entry-'));
  t.after(() => rmSync(dist, { recursive: true, force: true }));
  mkdirSync(join(dist, 'src/daemon'), { recursive: true });
  const main = join(dist, 'src/daemon/main.js');
  writeFileSync(main, '');
  writeFileSync(join(dist, '.tsbuildinfo'), '');
  const url = pathToFileURL(main).href;
  const unbundled = pathToFileURL(join(dist, 'src/daemon/berthd.js')).href;
  const bundle = pathToFileURL(join(dist, 'berthd/berthd.js')).href;
  assert.equal(daemonModule(url, {}), unbundled, 'no bundle');

  mkdirSync(join(dist, 'berthd'));
  writeFileSync(join(dist, 'berthd/berthd.js'), '');
  const set = (f: string, s: number): void => utimesSync(join(dist, f), s, s);
  set('.tsbuildinfo', 1000);
  set('berthd/berthd.js', 2000);
  assert.equal(daemonModule(url, {}), bundle, 'bundle newer than the tsc build');
  assert.equal(daemonModule(url, { BERTHD_UNBUNDLED: '1' }), unbundled, 'BERTHD_UNBUNDLED=1');
  set('.tsbuildinfo', 3000);
  assert.equal(daemonModule(url, {}), unbundled, 'tsc ran after the bundle: stale bundle not used');
  rmSync(join(dist, '.tsbuildinfo'));
  set('src/daemon/main.js', 1500);
  assert.equal(daemonModule(url, {}), bundle, 'without .tsbuildinfo, main.js is the tsc build');
});
