import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerConfig, HostConfig } from '../../api/types.js';
import { buildSpec } from './build-spec.js';
import type { SpecInput } from './spec-input.js';
import { devicesAt } from './host-devices.js';
import { parseDeviceCgroupRule } from './with-devices.js';
import { validateHostConfig } from './validate-host-config.js';
import { capabilitiesFromMask } from './capabilities.js';

function input(hostConfig: HostConfig = {}, extra: Partial<SpecInput> = {}, config: ContainerConfig = {}): SpecInput {
  return {
    id: 'abc123',
    rootfsPath: '/bundle/rootfs',
    config: { Cmd: ['sh'], ...config },
    hostConfig,
    user: { uid: 0, gid: 0, additionalGids: [] },
    hostname: 'abc123',
    files: { hostname: '/c/hostname', hosts: '/c/hosts', resolvConf: '/c/resolv.conf' },
    netns: { mode: 'none' },
    cgroupsPath: 'berth/abc123',
    host: { arch: 'x64', kernel: '6.1.0' },
    ...extra,
  };
}

test('device cgroup rules: dockerd format, wildcards left out, appended after the defaults', () => {
  assert.deepEqual(parseDeviceCgroupRule('c 1:3 rwm'), { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' });
  assert.deepEqual(parseDeviceCgroupRule('b 7:* rw'), { allow: true, type: 'b', major: 7, access: 'rw' });
  assert.deepEqual(parseDeviceCgroupRule('a *:* m'), { allow: true, type: 'a', access: 'm' });
  assert.throws(() => parseDeviceCgroupRule('x 1:2 rwm'), { message: "invalid device cgroup rule format: 'x 1:2 rwm'" });
  assert.throws(() => parseDeviceCgroupRule('c 1:2 rwx'), /invalid device cgroup rule format/);
  const s = buildSpec(input({ DeviceCgroupRules: ['b 7:* rwm', 'c 42:1 r'] }));
  assert.deepEqual(s.linux.resources!.devices!.slice(-2), [
    { allow: true, type: 'b', major: 7, access: 'rwm' },
    { allow: true, type: 'c', major: 42, minor: 1, access: 'r' },
  ]);
  // privileged: allow-all only, as dockerd
  const p = buildSpec(input({ Privileged: true, DeviceCgroupRules: ['b 7:* rwm'] }));
  assert.deepEqual(p.linux.resources!.devices, [{ allow: true, access: 'rwm' }]);
});

test('privileged: exactly the bounding set the daemon has, no seccomp, nothing masked, /sys writable', () => {
  const have = capabilitiesFromMask('000001fffeffffff'); // no CAP_SYS_RESOURCE
  const s = buildSpec(input({ Privileged: true }, { host: { capabilities: have, devices: [] } }));
  assert.deepEqual(s.process.capabilities!.bounding, have);
  assert.ok(!s.process.capabilities!.bounding.includes('CAP_SYS_RESOURCE'));
  assert.equal(s.linux.seccomp, undefined);
  assert.equal(s.linux.maskedPaths, undefined);
  assert.equal(s.linux.readonlyPaths, undefined);
  assert.ok(!s.mounts.find((m) => m.destination === '/sys')!.options!.includes('ro'));
  const all = buildSpec(input({ CapAdd: ['ALL'], CapDrop: ['net_raw'] }, { host: { capabilities: have } }));
  assert.equal(all.process.capabilities!.bounding.length, have.length - 1);
});

test('ipc: shareable and container:X bind the host shm; host binds /dev/shm; none has none', () => {
  const shm = (hc: HostConfig, extra: Partial<SpecInput> = {}) => buildSpec(input(hc, extra)).mounts.find((m) => m.destination === '/dev/shm');
  assert.deepEqual(shm({ IpcMode: 'shareable' }, { shmSource: '/run/berth/containers/x/shm' }), {
    destination: '/dev/shm', type: 'bind', source: '/run/berth/containers/x/shm', options: ['rbind', 'rprivate'],
  });
  assert.equal(shm({ IpcMode: 'container:abc' }, { shmSource: '/s', nsPaths: { ipc: '/proc/1/ns/ipc' } })!.source, '/s');
  assert.equal(shm({ IpcMode: 'host' })!.source, '/dev/shm');
  assert.equal(shm({ IpcMode: 'none' }), undefined);
  assert.equal(shm({ IpcMode: 'private', ShmSize: 1 << 20 })!.options!.includes(`size=${1 << 20}`), true);
  assert.throws(() => buildSpec(input({ IpcMode: 'bogus' })), { message: 'Invalid IPC mode: bogus' });
});

test('create-time checks: capabilities, device rules, hostname with UTS host; warnings', () => {
  assert.throws(() => validateHostConfig({ CapAdd: ['FOO'] }), { message: 'invalid CapAdd: unknown capability: "CAP_FOO"' });
  assert.throws(() => validateHostConfig({ CapDrop: ['bar'] }), { message: 'invalid CapDrop: unknown capability: "CAP_BAR"' });
  assert.throws(() => validateHostConfig({ DeviceCgroupRules: ['nope'] }), { message: "invalid device cgroup rule format: 'nope'" });
  assert.throws(() => validateHostConfig({ UTSMode: 'host' }, undefined, { Hostname: 'x' }), { message: 'conflicting options: hostname and the UTS mode' });
  assert.deepEqual(validateHostConfig({ UTSMode: 'host' }, undefined, {}), []);
  assert.deepEqual(validateHostConfig({ OomKillDisable: true }), [
    'OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.',
  ]);
  assert.deepEqual(validateHostConfig({ OomKillDisable: true, Memory: 64 << 20 }), []);
});

test('devicesAt: a node, a symlink to one, a directory of them; dockerd errors otherwise', async () => {
  const [nul] = await devicesAt('/dev/null');
  assert.deepEqual({ ...nul, uid: 0, gid: 0 }, { type: 'c', path: '/dev/null', major: 1, minor: 3, fileMode: nul.fileMode, uid: 0, gid: 0 });
  const dir = mkdtempSync(join(tmpdir(), 'berth-dev-'));
  try {
    symlinkSync('/dev/zero', join(dir, 'z'));
    writeFileSync(join(dir, 'file'), 'x');
    const [z] = await devicesAt(join(dir, 'z'));
    assert.equal(z.path, join(dir, 'z'));
    assert.equal(z.minor, 5);
    await assert.rejects(devicesAt(join(dir, 'file')), { message: `error gathering device information while adding custom device "${join(dir, 'file')}": not a device node` });
    await assert.rejects(devicesAt('/dev/nope-berth'), { message: 'error gathering device information while adding custom device "/dev/nope-berth": no such file or directory' });
    await assert.rejects(devicesAt(dir), /not a device node/); // a symlink below is not followed by the walk
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const spec = buildSpec(input({ Devices: [{ PathOnHost: '/dev/null', PathInContainer: '/dev/xnull', CgroupPermissions: 'r' }] }, { host: { devices: [nul] } }));
  assert.deepEqual(spec.linux.devices, [{ ...nul, path: '/dev/xnull' }]);
  assert.deepEqual(spec.linux.resources!.devices!.at(-1), { allow: true, type: 'c', major: 1, minor: 3, access: 'r' });
});
