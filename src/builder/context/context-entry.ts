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

/**
 * Paths sorted in walk order (as walkOrder sorts them) with one string key per path: `/`
 * becomes the lowest character, so plain comparison is component by component.
 */
export function sortWalkOrder(paths: Iterable<string>): string[] {
  const keyed = [...paths].map((p) => [p.replaceAll('/', '\0'), p] as const);
  keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return keyed.map((k) => k[1]);
}

/** Whether `path` is `dir` or inside it (`dir` = '' is the root). */
export function isWithin(path: string, dir: string): boolean {
  return dir === '' || path === dir || path.startsWith(`${dir}/`);
}

/** Clean a relative path; undefined when it climbs out with `..`. '' is the root. */
export function cleanRelative(path: string): string | undefined {
  const rel = posix.normalize(path.replace(/^\/+/, '') || '.').replace(/\/+$/, '');
  if (rel === '..' || rel.startsWith('../')) return undefined;
  return rel === '.' || rel === '' ? '' : rel;
}
