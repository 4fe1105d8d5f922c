import { EngineError } from '../../shared/errors.js';
import type { OciMount } from './oci-types.js';
import type { SpecInput, SpecMutator } from './spec-input.js';
import { parseBind, parseMountSpec, parseTmpfs, type UserMount } from './parse-binds.js';
import { INIT_PATH } from './with-process.js';
import { checkBindPropagation, checkProcMounts } from './mount-checks.js';

/** Docker's default /dev/shm size (64 MiB). */
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

/** The system mounts every container gets, as Docker sets them up. */
export function defaultMounts(input: SpecInput): OciMount[] {
  const hc = input.hostConfig;
  const privileged = hc.Privileged === true;
  const ro = privileged ? [] : ['ro'];
  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', ...ro] },
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', ...ro] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
  ];
  const ipc = hc.IpcMode ?? '';
  if (ipc === 'host') {
    mounts.push({ destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'rprivate'] });
  } else if ((ipc === 'shareable' || ipc.startsWith('container:')) && input.shmSource) {
    mounts.push({ destination: '/dev/shm', type: 'bind', source: input.shmSource, options: ['rbind', 'rprivate'] });
  } else if (ipc !== 'none') {
    const size = hc.ShmSize && hc.ShmSize > 0 ? hc.ShmSize : DEFAULT_SHM_SIZE;
    mounts.push({ destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${size}`] });
  }
  return mounts;
}

/** /etc/hostname, /etc/hosts, /etc/resolv.conf bound from the container's files (read-only with a read-only rootfs). */
export function networkFileMounts(input: SpecInput): OciMount[] {
  const opts = ['rbind', 'rprivate', ...(input.hostConfig.ReadonlyRootfs ? ['ro'] : [])];
  return [
    { destination: '/etc/resolv.conf', type: 'bind', source: input.files.resolvConf, options: [...opts] },
    { destination: '/etc/hostname', type: 'bind', source: input.files.hostname, options: [...opts] },
    { destination: '/etc/hosts', type: 'bind', source: input.files.hosts, options: [...opts] },
  ];
}

/**
 * The container's binds and volumes (input.mounts, or parsed from HostConfig.Binds/Mounts
 * when the caller did not resolve them), --mount tmpfs and --tmpfs entries. Duplicate
 * destinations, mounts inside /proc and shared/slave binds of private sources are refused
 * like Docker (and runc) do.
 */
export function userMounts(input: SpecInput): UserMount[] {
  const hc = input.hostConfig;
  const binds: UserMount[] = input.mounts
    ? [...input.mounts.map((m) => ({ ...m, options: [...m.options] })), ...(hc.Mounts ?? []).filter((m) => m.Type === 'tmpfs').map(parseMountSpec)]
    : [...(hc.Binds ?? []).map(parseBind), ...(hc.Mounts ?? []).map(parseMountSpec)];
  const out: UserMount[] = [...binds, ...Object.entries(hc.Tmpfs ?? {}).map(([dst, data]) => parseTmpfs(dst, data))];
  const seen = new Set<string>();
  for (const m of out) {
    if (seen.has(m.destination)) throw new EngineError('invalid-argument', `Duplicate mount point: ${m.destination}`);
    seen.add(m.destination);
  }
  checkProcMounts(out, input.rootfsPath);
  checkBindPropagation(out, input.readFile);
  return out;
}

const depth = (p: string): number => p.split('/').filter(Boolean).length;

/**
 * System mounts, then network files, then user mounts sorted parent-first; a user mount
 * replaces any default mount on the same destination. --init adds /sbin/docker-init.
 */
export const withMounts: SpecMutator = (spec, input) => {
  const user = userMounts(input);
  const taken = new Set(user.map((m) => m.destination));
  const base = [...defaultMounts(input), ...networkFileMounts(input)].filter((m) => !taken.has(m.destination));
  const sorted = user.map((m, i) => ({ m, i })).sort((a, b) => depth(a.m.destination) - depth(b.m.destination) || a.i - b.i);
  spec.mounts = [...base, ...sorted.map((x) => x.m)];
  if (input.init) {
    spec.mounts.push({ destination: INIT_PATH, type: 'bind', source: input.init.hostPath, options: ['bind', 'ro'] });
  }
};
