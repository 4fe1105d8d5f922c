import { readFile } from 'node:fs/promises';
import { EngineError } from '../../shared/errors.js';
import { secureJoin } from './secure-join.js';

/** The numeric identity a container process runs as. */
export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
}

interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const NUMERIC = /^\d+$/;

/**
 * Resolve `--user` against the image's /etc/passwd and /etc/group (read inside the rootfs,
 * never following symlinks out of it), like Docker: `name`, `uid`, `uid:gid`, `name:group`.
 * The primary gid comes first in the supplementary gids (as Docker does); without an
 * explicit group, the groups listing the user follow.
 * `groupAdd` (HostConfig.GroupAdd: names or gids) is appended.
 *
 * @example await resolveUser('/run/berth/containers/x/bundle/rootfs', 'nobody') // { uid: 65534, gid: 65534, additionalGids: [65534] }
 */
export async function resolveUser(
  rootfsPath: string,
  userSpec: string | undefined,
  groupAdd: readonly string[] = [],
): Promise<ResolvedUser> {
  const spec = (userSpec ?? '').trim();
  const colon = spec.indexOf(':');
  const userArg = (colon >= 0 ? spec.slice(0, colon) : spec) || '0';
  const groupArg = colon >= 0 ? spec.slice(colon + 1) : '';
  const passwd = parsePasswd(await readInRoot(rootfsPath, '/etc/passwd'));
  const groups = parseGroup(await readInRoot(rootfsPath, '/etc/group'));

  const entry = passwd.find((p) => (NUMERIC.test(userArg) ? p.uid === Number(userArg) : p.name === userArg));
  if (!entry && !NUMERIC.test(userArg)) {
    throw new EngineError('invalid-argument', `unable to find user ${userArg}: no matching entries in passwd file`);
  }
  const uid = entry ? entry.uid : Number(userArg);
  let gid = entry ? entry.gid : 0;
  let additional: number[] = [];
  if (groupArg !== '') {
    gid = lookupGroup(groups, groupArg);
  } else if (entry) {
    additional = groups.filter((g) => g.members.includes(entry.name)).map((g) => g.gid);
  }
  // runc's GetAdditionalGroups capitalizes its message, unlike the primary group's.
  for (const g of groupAdd) additional.push(lookupGroup(groups, g, 'Unable'));
  // Docker (via containerd's WithAdditionalGIDs) lists the primary gid first, so `id`
  // in a container prints `groups=65534(nogroup)` for `-u nobody`.
  return { uid, gid, additionalGids: [...new Set([gid, ...additional])] };
}

function lookupGroup(groups: GroupEntry[], arg: string, verb = 'unable'): number {
  if (NUMERIC.test(arg)) return Number(arg);
  const g = groups.find((x) => x.name === arg);
  if (!g) throw new EngineError('invalid-argument', `${verb} to find group ${arg}: no matching entries in group file`);
  return g.gid;
}

async function readInRoot(root: string, path: string): Promise<string> {
  const host = await secureJoin(root, path);
  try {
    return await readFile(host, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return '';
    throw EngineError.wrap('internal', `failed to read ${path} in container rootfs`, err);
  }
}

function fields(text: string): string[][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'));
}

function parsePasswd(text: string): PasswdEntry[] {
  return fields(text)
    .filter((f) => f.length >= 4 && NUMERIC.test(f[2]!) && NUMERIC.test(f[3]!))
    .map((f) => ({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]) }));
}

function parseGroup(text: string): GroupEntry[] {
  return fields(text)
    .filter((f) => f.length >= 3 && NUMERIC.test(f[2]!))
    .map((f) => ({ name: f[0]!, gid: Number(f[2]), members: (f[3] ?? '').split(',').map((m) => m.trim()).filter(Boolean) }));
}
