import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initialState } from './container-record.js';
import { commandString, humanDuration, statusText, trimStamp } from './status-text.js';

const T0 = Date.parse('2024-05-01T10:00:00Z');

test('humanDuration matches Docker units', () => {
  assert.equal(humanDuration(500), 'Less than a second');
  assert.equal(humanDuration(1000), '1 second');
  assert.equal(humanDuration(3000), '3 seconds');
  assert.equal(humanDuration(60_000), 'About a minute');
  assert.equal(humanDuration(2 * 60_000), '2 minutes');
  assert.equal(humanDuration(3600_000), 'About an hour');
  assert.equal(humanDuration(5 * 3600_000), '5 hours');
  assert.equal(humanDuration(3 * 86400_000), '3 days');
  assert.equal(humanDuration(21 * 86400_000), '3 weeks');
  assert.equal(humanDuration(90 * 86400_000), '3 months');
  assert.equal(humanDuration(800 * 86400_000), '2 years');
});

test('statusText for each status', () => {
  const s = initialState();
  assert.equal(statusText(s, T0), 'Created');
  const started = '2024-05-01T09:59:58.000000001Z';
  assert.equal(statusText({ ...s, status: 'running', startedAt: started }, T0), 'Up 2 seconds');
  assert.equal(statusText({ ...s, status: 'paused', startedAt: started }, T0), 'Up 2 seconds (Paused)');
  assert.equal(statusText({ ...s, status: 'exited', startedAt: started, finishedAt: '2024-05-01T09:58:00Z', exitCode: 3 }, T0), 'Exited (3) 2 minutes ago');
  assert.equal(statusText({ ...s, status: 'removing' }, T0), 'Removal In Progress');
  assert.equal(statusText({ ...s, status: 'dead' }, T0), 'Dead');
  assert.equal(statusText({ ...s, status: 'restarting', exitCode: 1, finishedAt: '2024-05-01T09:59:59Z' }, T0), 'Restarting (1) 1 second ago');
});

test('commandString quotes args with spaces', () => {
  assert.equal(commandString('sh', ['-c', 'echo hi']), "sh -c 'echo hi'");
  assert.equal(commandString('top', []), 'top');
});

test('trimStamp drops trailing zero fractions', () => {
  assert.equal(trimStamp('2024-05-01T10:00:00.120000000Z'), '2024-05-01T10:00:00.12Z');
  assert.equal(trimStamp('2024-05-01T10:00:00.000000000Z'), '2024-05-01T10:00:00Z');
  assert.equal(trimStamp('0001-01-01T00:00:00Z'), '0001-01-01T00:00:00Z');
});
