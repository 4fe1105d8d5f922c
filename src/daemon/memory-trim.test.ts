import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getHeapSpaceStatistics } from 'node:v8';
import { MemoryTrimmer, processMemoryPorts, type MemoryPorts } from './memory-trim.js';

const MB = 1 << 20;

function fakePorts(): MemoryPorts & { rssNow: number; busyNow: number; log: string[] } {
  const p = {
    rssNow: 60 * MB,
    busyNow: 0,
    log: [] as string[],
    rss: () => p.rssNow,
    busy: () => p.busyNow,
    gc: () => void p.log.push('gc'),
    trim: () => void p.log.push('trim'),
  };
  return p;
}

const opts = { intervalMs: 1000, growthBytes: 4 * MB, idleBelow: 0.05, idleSamples: 2 };

test('trims once after boot when idle, then only after growth and an idle stretch', () => {
  const p = fakePorts();
  const t = new MemoryTrimmer(p, opts);
  assert.equal(t.sample(), false, 'one idle sample is not enough');
  assert.equal(t.sample(), true, 'two idle samples: the boot trim');
  assert.deepEqual(p.log, ['gc', 'trim']);
  p.rssNow = 50 * MB;
  assert.equal(t.sample(), false, 'the sample after a trim records the floor');
  p.rssNow = 53 * MB;
  assert.equal(t.sample(), false);
  assert.equal(t.sample(), false, 'growth below growthBytes: no trim');
  // a burst: busy samples never trim, however large RSS grows
  p.rssNow = 90 * MB;
  p.busyNow = 0.6;
  assert.equal(t.sample(), false);
  assert.equal(t.sample(), false);
  p.busyNow = 0.01;
  assert.equal(t.sample(), false, 'first idle sample after the burst');
  assert.equal(t.sample(), true, 'second idle sample: trim');
  assert.equal(t.trims, 2);
  p.rssNow = 55 * MB;
  t.sample();
  assert.equal(t.sample(), false);
  assert.equal(t.sample(), false, 'nothing grew: no trim while idle');
  assert.equal(t.trims, 2);
});

test('a busy sample restarts the idle count', () => {
  const p = fakePorts();
  const t = new MemoryTrimmer(p, opts);
  t.sample();
  p.busyNow = 0.5;
  t.sample();
  p.busyNow = 0;
  assert.equal(t.sample(), false);
  assert.equal(t.sample(), true);
});

test('the real ports: gc runs without --expose-gc on the command line, rss and busy read the process', async () => {
  const ports = processMemoryPorts(() => {});
  assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined', 'gc is not put on the global object');
  await ports.gc();
  assert.ok(ports.rss() > MB);
  const b = ports.busy();
  assert.ok(b >= 0 && b <= 1);
});

test('the real gc gives back the new space a burst grew', async () => {
  const newSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.physical_space_size;
  const before = newSpace();
  // a burst of short-lived objects with some survivors: V8 grows the new space to its maximum
  let keep: object[] = [];
  for (let i = 0; i < 150; i++) {
    for (let j = 0; j < 20_000; j++) keep.push({ j, s: `x${j}` });
    if (keep.length > 200_000) keep = [];
    await new Promise((r) => setImmediate(r));
  }
  keep = [];
  const grown = newSpace();
  assert.ok(grown >= before + 4 * MB, `the burst grew the new space (${before >> 10} -> ${grown >> 10} KiB)`);
  const trimmed: string[] = [];
  const t = new MemoryTrimmer({ ...processMemoryPorts(() => trimmed.push('trim')), busy: () => 0 }, { ...opts, idleSamples: 1 });
  assert.equal(t.sample(), true);
  await new Promise<void>((r) => {
    const poll = (): unknown => (trimmed.length ? r() : setTimeout(poll, 20));
    poll();
  });
  const after = newSpace();
  assert.ok(after <= grown / 4, `new space ${grown >> 10} KiB -> ${after >> 10} KiB after the trim`);
});
