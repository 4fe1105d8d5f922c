import { posix } from 'node:path';

export type EntryType = 'file' | 'dir' | 'symlink';

/**
 * One path of an extracted build context as its tar header described it (directories the
 * tar only implied get 0755, root, the extraction time). Ownership is kept here, not on disk:
 * COPY and ADD give files to root (or `--chown`), but Docker's cache checksum includes it.
 */
export interface ContextEntry {
  /** Relative to the context root, cleaned, no leading `./` or `/`. */
  path: string;
  type: EntryType;
  /** Permission bits (and setuid/setgid/sticky), as in the tar header. */
  mode: number;
  uid: number;
  gid: number;
  /** Content bytes for files, 0 otherwise. */
  size: number;
  /** Milliseconds since the epoch (not part of any digest). */
  mtimeMs: number;
  /** Symlink target, as written. */
  linkname?: string;
}

/** Order paths as a directory walk visits them (parents first, siblings by name). */
export function walkOrder(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return pa[i]! < pb[i]! ? -1 : 1;
  }
  return pa.length - pb.length;
}

/** walkOrder without splitting: `/` sorts below every other character, the rest by code unit. */
export function compareWalk(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    if (ca === 47) return -1;
    if (cb === 47) return 1;
    return ca - cb;
  }
  return a.length - b.length;
}

/**
 * Paths sorted in walk order (as walkOrder sorts them). A list already in that order (a
 * context as a directory walk sends it) is checked in one pass and returned as is.
 */
export function sortWalkOrder(paths: Iterable<string>): string[] {
  const list = [...paths];
  for (let i = 1; i < list.length; i++) {
    if (compareWalk(list[i - 1]!, list[i]!) > 0) return list.sort(compareWalk);
  }
  return list;
}

/** Whether `path` is `dir` or inside it (`dir` = '' is the root). */
export function isWithin(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(`${dir}/`);
}

/** A path with nothing to clean: no leading, trailing or doubled `/`, no `.` or `..` component. */
const UNCLEAN = /^\/|\/$|\/\/|(^|\/)\.\.?(\/|$)/;

/** Clean a relative path; undefined when it climbs out with `..`. '' is the root. */
export function cleanRelative(path: string): string | undefined {
  if (path !== '' && !UNCLEAN.test(path)) return path;
  const rel = posix.normalize(path.replace(/^\/+/, '') || '.').replace(/\/+$/, '');
  if (rel === '..' || rel.startsWith('../')) return undefined;
  return rel === '.' || rel === '' ? '' : rel;
}
