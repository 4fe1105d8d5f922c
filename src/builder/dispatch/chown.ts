import { invalid } from '../../shared/errors.js';

/** `--chown` as written: `user[:group]`, names or numbers. */
export interface OwnerSpec {
  user: string;
  group?: string;
}

export function parseOwner(raw: string): OwnerSpec {
  const i = raw.indexOf(':');
  const user = i < 0 ? raw : raw.slice(0, i);
  if (!user) throw invalid(`invalid chown string: ${raw}`);
  return i < 0 ? { user } : { user, group: raw.slice(i + 1) };
}

/**
 * Names to ids with the image's /etc/passwd and /etc/group, as Docker 20.10 does: a user
 * given alone also names the group (`--chown=app` is `app:app`; `--chown=5` is `5:5`).
 *
 * @example ownerIds({ user: 'nobody', group: 'nogroup' }, passwd, group) // { uid: 65534, gid: 65534 }
 */
export function ownerIds(spec: OwnerSpec, passwd: string, group: string): { uid: number; gid: number } {
  const rows = (text: string): string[][] => text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':'));
  const fail = (what: string, name: string): never => {
    throw invalid(`unable to convert uid/gid chown string to host mapping: can't find ${what === 'user' ? 'uid' : 'gid'} for ${what} ${name}: no such ${what}: ${name}`);
  };
  const lookup = (text: string, name: string, what: 'user' | 'group'): number => {
    if (/^\d+$/.test(name)) return Number(name);
    const row = rows(text).find((r) => r[0] === name);
    return row ? Number(row[2]) : fail(what, name);
  };
  return { uid: lookup(passwd, spec.user, 'user'), gid: lookup(group, spec.group ?? spec.user, 'group') };
}
