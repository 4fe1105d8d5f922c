import { createWriteStream } from 'node:fs';
import { link, lstat, lutimes, mkdir, rm, symlink } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decompress, readTar, type TarHeader } from '../archive/index.js';
import { cleanName } from '../archive/scoped-root.js';
import { applyMeta } from '../archive/file-meta.js';
import { makedev, mknod } from '../shared/libc.js';
import { invalid } from '../shared/errors.js';
import type { ContainerRoot } from './archive-root.js';

/** Options of `PUT /containers/{id}/archive`. */
export interface ExtractOptions {
  /** Refuse to replace a directory with a non-directory (and the reverse). */
  noOverwriteDirNonDir: boolean;
  /** Owner for every entry (copyUIDGID with a container user); default: the tar's ids. */
  chown?: { uid: number; gid: number };
}

const S_IF: Record<string, number> = { char: 0o020000, block: 0o060000, fifo: 0o010000 };

/** Follow the path's parents inside the container, creating missing directories 0755. */
async function parentDir(root: ContainerRoot, container: string): Promise<string> {
  const r = await root.resolve(container, true);
  await mkdir(r.host, { recursive: true, mode: 0o755 });
  return r.host;
}

/**
 * Extract a (plain or compressed) tar into the container directory `dest` (already resolved,
 * existing). Entry names are relative to `dest` and may not climb out of it; parents are
 * resolved inside the container, so a symlink in the container never leads outside it.
 */
export async function extractInto(root: ContainerRoot, dest: string, src: Readable, opts: ExtractOptions): Promise<void> {
  const tar = await decompress(src);
  const dirTimes: { host: string; mtime: number }[] = [];
  for await (const e of readTar(tar)) {
    const h = opts.chown ? { ...e.header, uid: opts.chown.uid, gid: opts.chown.gid } : e.header;
    const rel = cleanName(h.name, dest);
    const container = rel ? posix.join(dest, rel) : dest;
    const host = rel
      ? posix.join(await parentDir(root, posix.dirname(container)), posix.basename(container))
      : (await root.resolve(dest, true)).host;
    const existing = await lstat(host).catch(() => undefined);
    if (existing) {
      const isDir = h.type === 'directory';
      if (opts.noOverwriteDirNonDir && existing.isDirectory() && !isDir) {
        throw invalid(`cannot overwrite directory "${container}" with non-directory "${dest}"`);
      }
      if (opts.noOverwriteDirNonDir && !existing.isDirectory() && isDir) {
        throw invalid(`cannot overwrite non-directory "${container}" with directory "${dest}"`);
      }
      if (!(existing.isDirectory() && isDir)) await rm(host, { recursive: true, force: true });
    }
    await create(root, dest, host, h, e.body());
    if (h.type === 'directory') dirTimes.push({ host, mtime: h.mtime });
  }
  for (const d of dirTimes.reverse()) await lutimes(d.host, d.mtime, d.mtime).catch(() => {});
}

async function create(root: ContainerRoot, dest: string, host: string, h: TarHeader, body: AsyncIterable<Buffer>): Promise<void> {
  switch (h.type) {
    case 'directory':
      await mkdir(host, { mode: 0o755 }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      await applyMeta(host, h, { existed: true, times: false });
      return;
    case 'file':
      await pipeline(body, createWriteStream(host, { mode: h.mode & 0o777 }));
      await applyMeta(host, h, { existed: true });
      return;
    case 'symlink':
      await symlink(h.linkname, host);
      await applyMeta(host, h, { symlink: true });
      return;
    case 'link': {
      const target = (await root.resolve(posix.join(dest, cleanName(h.linkname, dest)), false)).host;
      await link(target, host);
      return;
    }
    case 'char':
    case 'block':
    case 'fifo':
      mknod(host, S_IF[h.type] | (h.mode & 0o7777), h.type === 'fifo' ? 0 : makedev(h.devmajor, h.devminor));
      await applyMeta(host, h, {});
      return;
    default:
      for await (const _ of body) void _;
  }
}
