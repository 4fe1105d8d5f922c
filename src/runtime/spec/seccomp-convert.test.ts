import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SECCOMP_PROFILE } from './seccomp-default.js';
import { kernelAtLeast, toOciSeccomp } from './seccomp-convert.js';
import { DEFAULT_CAPABILITIES } from './capabilities.js';

const allowed = (caps: readonly string[], arch = 'x64', kernel = '6.1.0'): Set<string> => {
  const s = toOciSeccomp(DEFAULT_SECCOMP_PROFILE, { capabilities: caps, arch, kernel });
  return new Set(s.syscalls!.filter((c) => c.action === 'SCMP_ACT_ALLOW' && !c.args).flatMap((c) => c.names));
};

test('kernelAtLeast', () => {
  assert.equal(kernelAtLeast('6.18.44-fc-v657', '4.8'), true);
  assert.equal(kernelAtLeast('4.8.0', '4.8'), true);
  assert.equal(kernelAtLeast('4.7.10', '4.8'), false);
  assert.equal(kernelAtLeast('3.10.0-1160.el7', '4.8'), false);
});

test('default profile: base allow-list and capability-gated syscalls', () => {
  const d = allowed(DEFAULT_CAPABILITIES);
  for (const name of ['read', 'write', 'execve', 'openat', 'futex', 'arch_prctl', 'chroot', 'ptrace']) assert.ok(d.has(name), name);
  for (const name of ['mount', 'unshare', 'setns', 'reboot', 'bpf', 'kexec_load', 'init_module', 'keyctl', 'add_key', 'open_by_handle_at']) {
    assert.ok(!d.has(name), name);
  }
  const admin = allowed([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN']);
  for (const name of ['mount', 'unshare', 'setns', 'clone', 'clone3']) assert.ok(admin.has(name), name);
  assert.ok(!allowed(DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_SYS_CHROOT')).has('chroot'));
  assert.ok(!allowed(DEFAULT_CAPABILITIES, 'x64', '4.4.0').has('ptrace'));
  assert.ok(!allowed(DEFAULT_CAPABILITIES, 'arm64').has('arch_prctl'));
});

test('default profile: clone filtered by flags, clone3 ENOSYS without CAP_SYS_ADMIN', () => {
  const s = toOciSeccomp(DEFAULT_SECCOMP_PROFILE, { capabilities: DEFAULT_CAPABILITIES, arch: 'x64', kernel: '6.1' });
  const clone = s.syscalls!.filter((c) => c.names.includes('clone'));
  assert.deepEqual(clone, [{ names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 2114060288, op: 'SCMP_CMP_MASKED_EQ' }] }]);
  assert.deepEqual(s.syscalls!.find((c) => c.names.includes('clone3')), { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
  const s390 = toOciSeccomp(DEFAULT_SECCOMP_PROFILE, { capabilities: DEFAULT_CAPABILITIES, arch: 's390x', kernel: '6.1' });
  assert.deepEqual(s390.syscalls!.filter((c) => c.names.includes('clone')).map((c) => c.args![0]!.index), [1]);
  assert.deepEqual(s390.architectures, ['SCMP_ARCH_S390X', 'SCMP_ARCH_S390']);
});

test('profile validation', () => {
  assert.throws(() => toOciSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ name: 'a', names: ['b'], action: 'SCMP_ACT_ALLOW' }] }, { capabilities: [], arch: 'x64', kernel: '6.1' }), /use either 'name' or 'names'/);
  const named = toOciSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ name: 'a', action: 'SCMP_ACT_ERRNO', errnoRet: 5 }] }, { capabilities: [], arch: 'x64', kernel: '6.1' });
  assert.deepEqual(named.syscalls, [{ names: ['a'], action: 'SCMP_ACT_ERRNO', errnoRet: 5 }]);
});
