import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { detectCgroupVersion, ensureCgroupSetup } from './cgroups-check.js';

test('detects the cgroup version of this host', () => {
  const v2 = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === '/sys/fs/cgroup' && l.includes(' - cgroup2 '));
  assert.equal(detectCgroupVersion(), v2 ? 2 : 1);
});

test('ensureCgroupSetup leaves the unified hierarchy without controllers', () => {
  ensureCgroupSetup();
  const controllers = (() => {
    try {
      return readFileSync('/sys/fs/cgroup/unified/cgroup.controllers', 'utf8').trim();
    } catch {
      return '';
    }
  })();
  if (detectCgroupVersion() === 1) assert.equal(controllers, '');
  assert.equal(ensureCgroupSetup(), undefined); // idempotent: nothing left to do
});
