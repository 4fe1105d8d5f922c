import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { mountAll } from '../mount/index.js';
import { EngineError } from '../shared/errors.js';

const CGROUP_ROOT = '/sys/fs/cgroup';

/**
 * 1 for cgroup v1 (including hybrid: v1 controllers plus a cgroup2 mount at
 * /sys/fs/cgroup/unified), 2 for the unified hierarchy.
 */
export function detectCgroupVersion(mountinfo = readMountinfo()): 1 | 2 {
  const root = mountinfo.find((m) => m.mountPoint === CGROUP_ROOT);
  return root?.fsType === 'cgroup2' ? 2 : 1;
}

/**
 * Make this host usable by crun. On hybrid hosts where the cgroup2 mount at
 * /sys/fs/cgroup/unified offers controllers (here: hugetlb, which has no v1 hierarchy),
 * crun refuses every container ("cgroups in hybrid mode not supported, drop all controllers
 * from cgroupv2"). Mounting hugetlb as a v1 hierarchy takes it off cgroup2.
 * Returns a note for the log when it changed something; throws when it cannot fix the host.
 */
export function ensureCgroupSetup(root = CGROUP_ROOT): string | undefined {
  const mountinfo = readMountinfo();
  if (detectCgroupVersion(mountinfo) === 2) return undefined;
  const unified = `${root}/unified/cgroup.controllers`;
  if (!existsSync(unified)) return undefined;
  const controllers = readFileSync(unified, 'utf8').trim().split(/\s+/).filter(Boolean);
  if (controllers.length === 0) return undefined;
  const v1 = new Set(mountinfo.filter((m) => m.fsType === 'cgroup').flatMap((m) => m.superOptions));
  const missing = controllers.filter((c) => !v1.has(c));
  const mounted: string[] = [];
  for (const ctrl of missing) {
    const target = `${root}/${ctrl}`;
    try {
      mkdirSync(target, { recursive: true });
      mountAll([{ type: 'cgroup', source: 'cgroup', options: [ctrl] }], target);
      mounted.push(ctrl);
    } catch (err) {
      throw new EngineError(
        'internal',
        `failed to set up cgroups: this host runs cgroups in hybrid mode and the cgroup2 mount at ${root}/unified ` +
          `offers controllers (${controllers.join(', ')}); crun refuses to run containers until they are mounted as cgroup v1 ` +
          `hierarchies. Mounting ${ctrl} at ${target} failed: ${(err as Error).message}. ` +
          `Fix it by hand with: mkdir -p ${target} && mount -t cgroup -o ${ctrl} cgroup ${target}`,
        { cause: err },
      );
    }
  }
  const left = readFileSync(unified, 'utf8').trim();
  if (left) {
    throw new EngineError('internal', `failed to set up cgroups: controllers still enabled on ${root}/unified after mounting v1 hierarchies: ${left}`);
  }
  return mounted.length ? `cgroups: hybrid host; mounted ${mounted.join(', ')} as cgroup v1 so crun can run containers` : undefined;
}

interface MountEntry {
  mountPoint: string;
  fsType: string;
  superOptions: string[];
}

function readMountinfo(): MountEntry[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [pre, post = ''] = line.split(' - ');
      const fields = pre!.split(' ');
      const [fsType = '', , superOpts = ''] = post.split(' ');
      return { mountPoint: fields[4] ?? '', fsType, superOptions: superOpts.split(',') };
    });
}
