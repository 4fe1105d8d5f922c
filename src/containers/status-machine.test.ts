import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../shared/errors.js';
import { checkTransition, type Operation } from './status-machine.js';
import type { ContainerStatus } from '../api/types.js';

const subj = { ref: 'web', id: 'abc123', name: '/web' };

function refusal(op: Operation, st: ContainerStatus): EngineError | undefined {
  try {
    checkTransition(op, st, subj);
    return undefined;
  } catch (err) {
    assert.ok(err instanceof EngineError);
    return err;
  }
}

test('start on running is not-modified; on created/exited allowed', () => {
  assert.equal(refusal('start', 'running')?.kind, 'not-modified');
  assert.equal(refusal('start', 'created'), undefined);
  assert.equal(refusal('start', 'exited'), undefined);
  assert.match(refusal('start', 'paused')!.message, /cannot start a paused container, try unpause instead/);
  assert.equal(refusal('start', 'removing')?.message, 'container is marked for removal and cannot be started');
});

test('stop on stopped statuses is not-modified, on running allowed', () => {
  for (const s of ['created', 'exited', 'dead'] as const) assert.equal(refusal('stop', s)?.kind, 'not-modified');
  assert.equal(refusal('stop', 'running'), undefined);
  assert.equal(refusal('stop', 'paused'), undefined);
});

test('kill of a stopped container uses Docker wording', () => {
  const e = refusal('kill', 'exited')!;
  assert.equal(e.kind, 'conflict');
  assert.equal(e.message, 'Cannot kill container: web: Container abc123 is not running');
  assert.equal(refusal('kill', 'running'), undefined);
});

test('rm of running without force is a conflict; force allowed', () => {
  const e = refusal('remove', 'running')!;
  assert.equal(e.kind, 'conflict');
  assert.equal(e.message, 'cannot remove container "/web": container is running: stop the container before removing or force remove');
  assert.match(refusal('remove', 'paused')!.message, /container is paused and must be unpaused first/);
  assert.equal(refusal('force-remove', 'running'), undefined);
  assert.equal(refusal('remove', 'exited'), undefined);
  assert.equal(refusal('remove', 'created'), undefined);
  assert.match(refusal('force-remove', 'removing')!.message, /removal of container web is already in progress/);
});

test('pause/unpause', () => {
  assert.equal(refusal('pause', 'exited')?.message, 'Container abc123 is not running');
  assert.equal(refusal('pause', 'paused')?.message, 'Container abc123 is already paused');
  assert.equal(refusal('unpause', 'running')?.message, 'Container abc123 is not paused');
  assert.equal(refusal('unpause', 'paused'), undefined);
});
