import { lstat } from 'node:fs/promises';
import type { BigIntStats } from 'node:fs';
import { notFound } from '../shared/errors.js';
import type { ContainerRoot } from './archive-root.js';
import { isoTime } from '../shared/iso-time.js';

/** Docker's `X-Docker-Container-Path-Stat` (JSON, base64 in the header). */
export interface PathStat {
  name: string;
  size: number;
  /** Go `os.FileMode` bits (type in the high bits, permissions in the low ones). */
  mode: number;
  /** RFC 3339 with nanoseconds (Go's RFC3339Nano). */
  mtime: string;
  linkTarget: string;
}

/** Go's os.FileMode for a POSIX st_mode. */
export function goFileMode(mode: number): number {
  let m = mode & 0o777;
  if (mode & 0o4000) m += 2 ** 23;
  if (mode & 0o2000) m += 2 ** 22;
  if (mode & 0o1000) m += 2 ** 20;
  switch (mode & 0o170000) {
    case 0o040000: return m + 2 ** 31;
    case 0o120000: return m + 2 ** 27;
    case 0o060000: return m + 2 ** 26;
    case 0o020000: return m + 2 ** 26 + 2 ** 21;
    case 0o010000: return m + 2 ** 25;
    case 0o140000: return m + 2 ** 24;
    default: return m;
  }
}

/** Go's time.RFC3339Nano in UTC (trailing zeros of the fraction dropped). */
export function rfc3339Nano(ns: bigint): string {
  const sec = ns / 1_000_000_000n;
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  const base = isoTime(Number(sec) * 1000).slice(0, 19);
  return `${base}${frac ? '.' + frac : ''}Z`;
}

/** The "Could not find the file" error, in Docker's words. */
export function fileNotFound(path: string, ref: string): Error {
  return notFound(`Could not find the file ${path} in container ${ref}`);
}

/**
 * lstat a resolved host path for the archive endpoints; missing paths (or a file used as a
 * directory) become Docker's 404.
 */
export async function lstatOrNotFound(host: string, path: string, ref: string): Promise<BigIntStats> {
  try {
    return await lstat(host, { bigint: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw fileNotFound(path, ref);
    throw err;
  }
}

/** Stat of `container` path (already resolved) as Docker reports it: a symlink's target is its container path. */
export async function statPath(root: ContainerRoot, resolved: { host: string; container: string }, base: string, path: string, ref: string): Promise<PathStat> {
  const st = await lstatOrNotFound(resolved.host, path, ref);
  const isLink = (Number(st.mode) & 0o170000) === 0o120000;
  const linkTarget = isLink ? (await root.resolve(resolved.container, true)).container : '';
  return { name: base, size: Number(st.size), mode: goFileMode(Number(st.mode)), mtime: rfc3339Nano(st.mtimeNs), linkTarget };
}
