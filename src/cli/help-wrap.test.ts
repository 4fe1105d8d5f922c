import assert from 'node:assert/strict';
import { test } from 'node:test';
import { wrap } from './help.js';
import { referenceError } from './commands/image/tag.js';

// Expected texts are docker 28's `run --help` at 80 columns (pflag wraps at 79, text column 39).
test('help wrap: pflag\'s word wrap with 5 columns of slop and the text\'s own line breaks', () => {
  const pad = ' '.repeat(39);
  assert.equal(wrap(39, 79, 'Add a custom host-to-IP mapping (host:ip)'), `Add a custom host-to-IP mapping\n${pad}(host:ip)`);
  assert.equal(wrap(39, 79, 'Swap limit equal to memory plus swap: \'-1\' to enable unlimited swap'), `Swap limit equal to memory plus\n${pad}swap: '-1' to enable unlimited swap`);
  assert.equal(
    wrap(39, 79, "Cgroup namespace to use (host|private)\n'host':    Run the container in the Docker host's cgroup namespace\n'private': Run the container in its own private cgroup namespace\n'':        Use the cgroup namespace as configured by the\n           default-cgroupns-mode option on the daemon (default)"),
    [
      'Cgroup namespace to use',
      `${pad}(host|private)`,
      `${pad}'host':    Run the container in`,
      `${pad}the Docker host's cgroup namespace`,
      `${pad}'private': Run the container in`,
      `${pad}its own private cgroup namespace`,
      `${pad}'':        Use the cgroup`,
      `${pad}namespace as configured by the`,
      `${pad}           default-cgroupns-mode`,
      `${pad}option on the daemon (default)`,
    ].join('\n'),
  );
  assert.equal(wrap(39, 79, 'Sysctl options (default map[])'), 'Sysctl options (default map[])');
  // too narrow: the text goes on its own lines at column 16
  assert.equal(wrap(70, 79, 'a b'), `\n${' '.repeat(16)}a b`);
});

test('tag: the target reference is checked as docker\'s client checks it', () => {
  assert.equal(referenceError('Bad:Tag'), 'invalid reference format: repository name (library/Bad) must be lowercase');
  assert.equal(referenceError('x/Bad'), 'invalid reference format: repository name (x/Bad) must be lowercase');
  assert.equal(referenceError('localhost:5000/Foo'), 'invalid reference format: repository name (Foo) must be lowercase');
  assert.equal(referenceError('a:b:c'), 'invalid reference format');
  assert.equal(referenceError('bb:-x'), 'invalid reference format');
  assert.equal(referenceError('ok/fine:1'), undefined);
  assert.equal(referenceError('127.0.0.1:5000/app:v1'), undefined);
});
