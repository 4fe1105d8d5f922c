import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import { collect, normalizeBoolFlags, parseGlobals } from './argv.js';

test('global flags stop at the command word', () => {
  assert.deepEqual(parseGlobals(['-H', 'unix:///x.sock', 'ps', '-a']), { version: false, help: false, host: 'unix:///x.sock', rest: ['ps', '-a'] });
  assert.equal(parseGlobals(['--host=unix:///y', 'ps']).host, 'unix:///y');
  assert.equal(parseGlobals(['-D', '--log-level', 'debug', 'images']).rest[0], 'images');
  assert.equal(parseGlobals(['--version']).version, true);
  assert.equal(parseGlobals(['--bogus', 'ps']).error, 'unknown flag: --bogus');
  assert.deepEqual(parseGlobals(['run', '-v', '/a:/b', 'x']).rest, ['run', '-v', '/a:/b', 'x']);
});

function cmd(): Command {
  return new Command('run')
    .option('--rm')
    .option('--no-rm')
    .option('-i, --interactive')
    .option('-t, --tty')
    .option('-e, --env <list>', '', collect)
    .option('-H, --human', '', true)
    .option('--no-human')
    .passThroughOptions();
}

const cases: [string[], string[]][] = [
  [['--rm=false', 'img'], ['--no-rm', 'img']],
  [['--rm=true', 'img'], ['--rm', 'img']],
  [['-H=false', 'img'], ['--no-human', 'img']],
  [['-e=A=1', 'img'], ['-e', 'A=1', 'img']],
  [['-e', '--rm=false', 'img'], ['-e', '--rm=false', 'img']],
  [['-it', 'img', '--rm=false'], ['-it', 'img', '--rm=false']],
  [['-ie', 'X', 'img', '-H=false'], ['-ie', 'X', 'img', '-H=false']],
  [['--', '--rm=false'], ['--', '--rm=false']],
];

for (const [input, want] of cases) {
  test(`bool flag normalizing: ${input.join(' ')}`, () => {
    assert.deepEqual(normalizeBoolFlags(cmd(), input), want);
  });
}
