import { EngineError } from '../../shared/errors.js';
import type { OciDeviceCgroup, OciLinuxDevice } from './oci-types.js';
import type { SpecMutator } from './spec-input.js';

const c = (major: number | undefined, minor: number | undefined, access = 'rwm'): OciDeviceCgroup => ({
  allow: true,
  type: 'c',
  ...(major === undefined ? {} : { major }),
  ...(minor === undefined ? {} : { minor }),
  access,
});

/**
 * The device cgroup allow-list Docker ends up with (moby defaults + runc's allowed devices):
 * deny all; mknod of any char/block device; null, zero, full, random, urandom, tty, console,
 * ptmx, /dev/pts/*, tun; fuse explicitly denied.
 */
export const DEFAULT_DEVICE_RULES: readonly OciDeviceCgroup[] = [
  { allow: false, access: 'rwm' },
  c(undefined, undefined, 'm'),
  { allow: true, type: 'b', access: 'm' },
  c(1, 3), // null
  c(1, 5), // zero
  c(1, 7), // full
  c(1, 8), // random
  c(1, 9), // urandom
  c(5, 0), // tty
  c(5, 1), // console
  c(5, 2), // ptmx
  c(136, undefined), // pts
  c(10, 200), // net/tun
  { allow: false, type: 'c', major: 10, minor: 229, access: 'rwm' }, // fuse
];

const RULE = /^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$/;

/**
 * One `--device-cgroup-rule` (`c 1:3 rwm`, `b 7:* rw`, `a *:* m`) as an allow rule; `*` is a
 * wildcard (the field is left out). Throws dockerd's `invalid device cgroup rule format`.
 */
export function parseDeviceCgroupRule(rule: string): OciDeviceCgroup {
  const m = RULE.exec(rule);
  if (!m) throw new EngineError('invalid-argument', `invalid device cgroup rule format: '${rule}'`);
  return {
    allow: true,
    type: m[1] as OciDeviceCgroup['type'],
    ...(m[2] === '*' ? {} : { major: Number(m[2]) }),
    ...(m[3] === '*' ? {} : { minor: Number(m[3]) }),
    access: m[4],
  };
}

/**
 * Devices: the runtime creates the standard ones (null, zero, full, random, urandom, tty,
 * console with a terminal, ptmx via devpts); HostConfig.Devices are looked up in
 * input.host.devices, then HostConfig.DeviceCgroupRules are allowed. Privileged gets every
 * host device and an allow-all rule (and neither of the above, as in dockerd).
 */
export const withDevices: SpecMutator = (spec, input) => {
  const hc = input.hostConfig;
  const resources = (spec.linux.resources ??= {});
  if (hc.Privileged) {
    spec.linux.devices = (input.host?.devices ?? []).map((d) => ({ ...d }));
    resources.devices = [{ allow: true, access: 'rwm' }];
    return;
  }
  const devices: OciLinuxDevice[] = [];
  const rules: OciDeviceCgroup[] = DEFAULT_DEVICE_RULES.map((r) => ({ ...r }));
  for (const mapping of hc.Devices ?? []) {
    const host = mapping.PathOnHost;
    const inCtr = mapping.PathInContainer || host;
    const access = mapping.CgroupPermissions || 'rwm';
    if (!/^[rwm]{1,3}$/.test(access)) throw new EngineError('invalid-argument', `invalid device cgroup permissions: ${access}`);
    const found = (input.host?.devices ?? []).filter((d) => d.path === host || d.path.startsWith(`${host}/`));
    if (found.length === 0) {
      throw new EngineError('invalid-argument', `error gathering device information while adding custom device "${host}": no such file or directory`);
    }
    for (const d of found) {
      const path = inCtr + d.path.slice(host.length);
      devices.push({ ...d, path });
      if (d.type === 'c' || d.type === 'b') rules.push({ allow: true, type: d.type, major: d.major, minor: d.minor, access });
    }
  }
  for (const rule of hc.DeviceCgroupRules ?? []) rules.push(parseDeviceCgroupRule(rule));
  if (devices.length > 0) spec.linux.devices = devices;
  else delete spec.linux.devices;
  resources.devices = rules;
};
