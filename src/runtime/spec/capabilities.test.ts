import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_CAPABILITIES, capabilitiesFromMask, normalizeCapability, tweakCapabilities } from './capabilities.js';

test('capabilitiesFromMask', () => {
  const caps = capabilitiesFromMask('000001fffeffffff');
  assert.equal(caps.length, 40);
  assert.ok(!caps.includes('CAP_SYS_RESOURCE'));
  assert.deepEqual(capabilitiesFromMask('00000000a80425fb'), [
    'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP',
    'CAP_NET_BIND_SERVICE', 'CAP_NET_RAW', 'CAP_SYS_CHROOT', 'CAP_MKNOD', 'CAP_AUDIT_WRITE', 'CAP_SETFCAP',
  ]);
  assert.equal(ALL_CAPABILITIES[40], 'CAP_CHECKPOINT_RESTORE');
});

test('normalizeCapability', () => {
  assert.equal(normalizeCapability('net_admin'), 'CAP_NET_ADMIN');
  assert.equal(normalizeCapability('CAP_NET_ADMIN'), 'CAP_NET_ADMIN');
  assert.equal(normalizeCapability('all'), 'ALL');
  assert.throws(() => normalizeCapability('nope'), { message: 'unknown capability: "CAP_NOPE"' });
});

test('tweakCapabilities dedupes adds already in the default set', () => {
  const caps = tweakCapabilities(['CHOWN', 'chown'], [], false);
  assert.equal(caps.filter((c) => c === 'CAP_CHOWN').length, 1);
});
