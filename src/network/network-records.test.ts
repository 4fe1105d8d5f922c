import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadState, StateWriter, type NetworkState } from './network-records.js';

test('StateWriter: saves coalesce into writes of the newest state, flush waits, no temp file left', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-netrec-'));
  try {
    const file = join(dir, 'network', 'state.json');
    const state: NetworkState = loadState(file);
    let snapshots = 0;
    const errors: unknown[] = [];
    const w = new StateWriter(file, () => (snapshots++, state), (e) => errors.push(e));
    for (let i = 0; i < 50; i++) {
      state.sandboxes.push({ containerId: `c${i}` } as NetworkState['sandboxes'][number]);
      w.save();
    }
    await w.flush();
    assert.deepEqual(errors, []);
    assert.ok(snapshots <= 2, `50 saves in one tick wrote ${snapshots} times`);
    assert.equal(loadState(file).sandboxes.length, 50);
    state.sandboxes.pop();
    w.save();
    await w.flush();
    assert.equal(loadState(file).sandboxes.length, 49);
    assert.deepEqual(readdirSync(join(dir, 'network')), ['state.json']);
    assert.ok(readFileSync(file, 'utf8').startsWith('{'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('StateWriter: a failed write is reported, later saves still write', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-netrec-'));
  try {
    const errors: unknown[] = [];
    // The state file's directory is a file: mkdir fails.
    const blocker = join(dir, 'blocker');
    const w = new StateWriter(join(blocker, 'state.json'), () => loadState('/nonexistent'), (e) => errors.push(e));
    (await import('node:fs')).writeFileSync(blocker, '');
    w.save();
    await w.flush();
    assert.equal(errors.length, 1);
    rmSync(blocker);
    w.save();
    await w.flush();
    assert.equal(errors.length, 1);
    assert.equal(loadState(join(blocker, 'state.json')).schemaVersion, loadState('/nonexistent').schemaVersion);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
