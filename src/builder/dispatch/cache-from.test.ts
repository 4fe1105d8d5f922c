import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CacheFrom } from './cache-from.js';
import type { BuildImages, HistoryStep, ImageChain } from './ports.js';

const step = (created_by: string, empty = false): HistoryStep => ({ created: `t-${created_by}`, created_by, ...(empty ? { empty_layer: true } : {}) });

/** An image service holding `chains`, recording what restore() was asked to make. */
function fakeImages(chains: ImageChain[]): { images: BuildImages; restored: Parameters<NonNullable<BuildImages['restore']>>[0][] } {
  const byId = new Map(chains.map((c) => [c.id, c]));
  const restored: Parameters<NonNullable<BuildImages['restore']>>[0][] = [];
  const images: BuildImages = {
    find: async () => undefined,
    pull: async () => undefined,
    commit: async () => 'x',
    tag: async (_id, ref) => ref,
    exists: async (id) => byId.has(id),
    chainOf: async (ref) => byId.get(ref),
    restore: async (input) => {
      restored.push(input);
      const parent = input.parent ? byId.get(input.parent) : undefined;
      const id = `restored-${restored.length}`;
      byId.set(id, { id, parent: input.parent ?? undefined, history: [...(parent?.history ?? []), input.history], diffIds: [...(parent?.diffIds ?? []), ...(input.layerDiffId ? [input.layerDiffId] : [])] });
      return id;
    },
  };
  return { images, restored };
}

const base: ImageChain = { id: 'base', history: [step('base')], diffIds: ['d0'] };
const target: ImageChain = {
  id: 'target',
  history: [step('base'), step('ENV A=1', true), step('COPY f'), step('CMD x', true)],
  diffIds: ['d0', 'd1'],
};

test('steps follow a candidate\'s history: restored images carry its entry and layer, the last step is the candidate', async () => {
  const { images, restored } = fakeImages([base, target]);
  const cf = (await CacheFrom.open(images, ['target', 'missing']))!;
  const env = await cf.match('base', 'ENV A=1', { Env: ['A=1'] });
  assert.equal(env, 'restored-1');
  assert.deepEqual(restored[0], { parent: 'base', config: { Env: ['A=1'] }, history: target.history[1], layerDiffId: undefined });
  const copy = await cf.match(env!, 'COPY f', {});
  assert.equal(copy, 'restored-2');
  assert.equal(restored[1]!.layerDiffId, 'd1');
  assert.equal(await cf.match(copy!, 'CMD x', {}), 'target');
  assert.equal(restored.length, 2);
});

test('a different instruction, or a parent whose history is not the candidate\'s prefix, misses', async () => {
  const other: ImageChain = { id: 'other', history: [{ ...step('base'), created: 'elsewhen' }], diffIds: ['d0'] };
  const { images } = fakeImages([base, target, other]);
  const cf = (await CacheFrom.open(images, ['target']))!;
  assert.equal(await cf.match('base', 'ENV A=2', {}), undefined);
  assert.equal(await cf.match('other', 'ENV A=1', {}), undefined);
  assert.equal(await cf.match(null, 'base', {}), 'restored-1', 'FROM scratch: any candidate continues an empty parent');
});

test('a local cache hit counts only when it is an ancestor of a candidate', async () => {
  const mid: ImageChain = { id: 'mid', parent: 'base', history: base.history, diffIds: base.diffIds };
  const child: ImageChain = { ...target, id: 'child', parent: 'mid' };
  const { images } = fakeImages([base, mid, child]);
  const cf = (await CacheFrom.open(images, ['child']))!;
  assert.equal(await cf.allows('mid'), true);
  assert.equal(await cf.allows('base'), true);
  assert.equal(await cf.allows('child'), false);
  assert.equal(await cf.allows('unrelated'), false);
});

test('no candidates named: no cache-from at all', async () => {
  const { images } = fakeImages([base]);
  assert.equal(await CacheFrom.open(images, []), undefined);
});
