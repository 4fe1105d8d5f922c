import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtimeStartError } from './runtime-error.js';

test('crun not-found maps to Docker wording and 127', () => {
  const e = runtimeStartError('crun', 'create', 'executable file `nosuchcmd` not found in $PATH: No such file or directory\n');
  assert.equal(e.exitCode, 127);
  assert.equal(e.kind, 'invalid-argument');
  assert.equal(e.message, 'failed to create task for container: OCI runtime create failed: crun create failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH: unknown');
});

test('runc messages keep their wording', () => {
  const e = runtimeStartError('runc', 'create', 'time="2026-11-23T20:33:35Z" level=error msg="runc create failed: unable to start container process: exec: \\"nosuchcmd\\": executable file not found in $PATH"\n');
  assert.equal(e.exitCode, 127);
  assert.equal(e.message, 'failed to create task for container: OCI runtime create failed: runc create failed: unable to start container process: exec: "nosuchcmd": executable file not found in $PATH: unknown');
});

test('permission problems are 126, anything else 128', () => {
  assert.equal(runtimeStartError('crun', 'create', 'open executable: Permission denied').exitCode, 126);
  assert.equal(runtimeStartError('runc', 'create', 'exec: "/etc": is a directory').exitCode, 126);
  const other = runtimeStartError('crun', 'start', 'something odd');
  assert.equal(other.exitCode, 128);
  assert.equal(other.kind, 'internal');
});
