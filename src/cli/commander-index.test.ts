import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import { indexOptionLookups } from './commander-index.js';

test("commander still has the lookup the index replaces, and the index gives commander's answers", () => {
  assert.equal(typeof (Command.prototype as unknown as { _findOption: unknown })._findOption, 'function');
  indexOptionLookups(Command);
  indexOptionLookups(Command); // idempotent
  const c = new Command('run').exitOverride();
  c.option('-d, --detach', 'detach').option('--name <string>', 'name').option('-e, --env <value>', 'env', (v: string, prev: string[] = []) => [...prev, v]);
  c.option('--no-healthcheck', 'no check').option('--healthcheck', 'check');
  // a flag taken twice is refused, as before
  assert.throws(() => c.option('--detach', 'again'), /Cannot add option '--detach'.*conflicting flag '--detach'/s);
  assert.throws(() => c.option('-e, --environment <v>', 'again'), /conflicting flag '-e'/);
  const find = (arg: string): string | undefined => (c as unknown as { _findOption(a: string): { flags: string } | undefined })._findOption(arg)?.flags;
  assert.equal(find('-d'), '-d, --detach');
  assert.equal(find('--env'), '-e, --env <value>');
  assert.equal(find('--nope'), undefined);
  // options added after a lookup are found too
  c.option('-p, --publish <list>', 'ports');
  assert.equal(find('-p'), '-p, --publish <list>');
  c.action(() => undefined);
  c.parse(['-d', '-e', 'A=1', '--env', 'B=2', '--name', 'web', '-p', '80'], { from: 'user' });
  assert.deepEqual(c.opts(), { detach: true, env: ['A=1', 'B=2'], name: 'web', publish: '80', healthcheck: true });
});
