import type { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { lchown, link, lstat, lutimes, mkdir, rm, stat, symlink } from 'node:fs/promises';
import { basename, dirname, join, posix } from 'node:path';
import { outputPathError } from '../../opts/output-path.js';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { containerArchiveGet, containerArchivePut, containerStatPath } from '../../../api-client/container-archive.js';
import { readTar, tarPath } from '../../../archive/index.js';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';

const DIR = 2 ** 31;
const SYMLINK = 2 ** 27;

interface CpOptions {
  archive?: boolean;
  followLink?: boolean;
  quiet?: boolean;
}

/** `container:path` or a local path (absolute, `./x`, or without a colon before any slash). */
export function splitCpArg(arg: string): { container?: string; path: string } {
  if (arg.startsWith('/') || arg.startsWith('.')) return { path: arg };
  const i = arg.indexOf(':');
  if (i < 0 || arg.slice(0, i).includes('/')) return { path: arg };
  return { container: arg.slice(0, i), path: arg.slice(i + 1) };
}

/** go-units HumanSize with 3 significant digits (`2.05kB`). */
function humanSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${Number(n.toPrecision(3))}${units[i]}`;
}

/** Counts bytes passing through. */
function counter(): Transform & { bytes: number } {
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      t.bytes += chunk.length;
      cb(null, chunk);
    },
  }) as Transform & { bytes: number };
  t.bytes = 0;
  return t;
}

/**
 * A tar from a container is untrusted: an entry may not be written through a symlink that an
 * earlier entry (or the destination) put in its path, or it could land outside `dir`.
 */
async function refuseSymlinkParents(dir: string, name: string, raw: string): Promise<void> {
  const parts = name.split('/').slice(0, -1);
  let cur = dir;
  for (const p of parts) {
    cur = join(cur, p);
    const st = await lstat(cur).catch(() => undefined);
    if (!st) return;
    if (st.isSymbolicLink()) throw new CliError(1, `invalid tar entry ${JSON.stringify(raw)}: goes through symlink ${JSON.stringify(posix.relative('.', cur.slice(dir.length + 1)))}`);
  }
}

/** Untar into `dir`, renaming a leading `from` component to `to`; names may not climb out. */
async function extractLocal(tar: Readable, dir: string, rename?: { from: string; to: string }): Promise<void> {
  const isRoot = process.getuid?.() === 0;
  const dirs: { path: string; mtime: number }[] = [];
  for await (const e of readTar(tar)) {
    const h = e.header;
    let name = posix.normalize(h.name).replace(/\/+$/, '');
    if (name === '..' || name.startsWith('../') || name.startsWith('/')) throw new CliError(1, `invalid tar entry name ${JSON.stringify(h.name)}`);
    if (rename && (name === rename.from || name.startsWith(rename.from + '/'))) name = rename.to + name.slice(rename.from.length);
    const target = name === '.' ? dir : join(dir, name);
    await refuseSymlinkParents(dir, name, h.name);
    await mkdir(dirname(target), { recursive: true });
    const existing = await lstat(target).catch(() => undefined);
    if (existing && !(existing.isDirectory() && h.type === 'directory')) await rm(target, { recursive: true, force: true });
    if (h.type === 'directory') {
      await mkdir(target, { recursive: true, mode: h.mode });
      dirs.push({ path: target, mtime: h.mtime });
    } else if (h.type === 'file') {
      await pipeline(e.body(), createWriteStream(target, { mode: h.mode & 0o7777 }));
    } else if (h.type === 'symlink') {
      await symlink(h.linkname, target);
    } else if (h.type === 'link') {
      const from = posix.normalize(h.linkname);
      if (from === '..' || from.startsWith('../') || from.startsWith('/')) throw new CliError(1, `invalid hard link ${JSON.stringify(h.name)} -> ${JSON.stringify(h.linkname)}`);
      await refuseSymlinkParents(dir, from, h.linkname);
      await link(join(dir, from), target);
      continue;
    } else continue;
    if (isRoot) await lchown(target, h.uid, h.gid).catch(() => {});
    if (h.type !== 'directory') await lutimes(target, h.mtime, h.mtime).catch(() => {});
  }
  for (const d of dirs.reverse()) await lutimes(d.path, d.mtime, d.mtime).catch(() => {});
}

async function copyFromContainer(ctx: CliContext, container: string, srcPath: string, dest: string, o: CpOptions): Promise<void> {
  // docker checks the local side before it asks the daemon
  const bad = dest === '-' ? undefined : outputPathError(dest);
  if (bad) throw new CliError(1, bad);
  const t = await ctx.transport();
  let path = srcPath;
  let rebase: string | undefined;
  if (o.followLink) {
    const st = await containerStatPath(t, container, srcPath);
    if (st.mode & SYMLINK && st.linkTarget) {
      path = st.linkTarget;
      rebase = st.name;
    }
  }
  const { stat: st, tar } = await containerArchiveGet(t, container, path);
  const count = counter();
  const counted = tar.pipe(count);
  if (dest === '-') {
    await pipeline(counted, ctx.stdout);
    return;
  }
  const root = st.name;
  const srcIsDir = (st.mode & DIR) !== 0 && root !== '.';
  const destStat = await stat(dest).catch(() => undefined);
  if (root === '.') {
    if (destStat && !destStat.isDirectory()) throw new CliError(1, 'cannot copy a directory to a file');
    await mkdir(dest, { recursive: true });
    await extractLocal(counted, dest);
  } else if (destStat?.isDirectory()) {
    await extractLocal(counted, dest, rebase ? { from: root, to: rebase } : undefined);
  } else {
    if (destStat && srcIsDir) throw new CliError(1, 'cannot copy directory');
    if (!destStat && dest.endsWith('/') && !srcIsDir) throw new CliError(1, 'no such directory');
    const parent = dirname(dest.replace(/\/+$/, '') || '/');
    if (!(await stat(parent).catch(() => undefined))?.isDirectory()) throw new CliError(1, 'no such directory');
    await extractLocal(counted, parent, { from: root, to: basename(dest) });
  }
  if (!o.quiet && ctx.stderr.isTTY) ctx.err(`Successfully copied ${humanSize(count.bytes)} to ${dest}\n`);
}

async function copyToContainer(ctx: CliContext, src: string, container: string, destPath: string, o: CpOptions): Promise<void> {
  const t = await ctx.transport();
  const put = { copyUIDGID: Boolean(o.archive), noOverwriteDirNonDir: true };
  if (src === '-') {
    await containerArchivePut(t, container, destPath, ctx.stdin, put);
    return;
  }
  const local = await (o.followLink ? stat(src) : lstat(src)).catch(() => undefined);
  if (!local) throw new CliError(1, `lstat ${src}: no such file or directory`);
  const contents = /\/\.$/.test(src) && local.isDirectory();
  let dir = destPath;
  let name = contents ? '.' : basename(src);
  try {
    const d = await containerStatPath(t, container, destPath);
    const isDir = (d.mode & DIR) !== 0 || ((d.mode & SYMLINK) !== 0 && destPath.endsWith('/'));
    if (d.mode & SYMLINK && d.linkTarget) {
      const target = await containerStatPath(t, container, d.linkTarget).catch(() => undefined);
      if (target && target.mode & DIR) dir = d.linkTarget;
      else if (local.isDirectory()) throw new CliError(1, 'cannot copy directory');
      else [dir, name] = [posix.dirname(destPath), posix.basename(destPath)];
    } else if (!isDir) {
      if (local.isDirectory()) throw new CliError(1, 'cannot copy directory');
      [dir, name] = [posix.dirname(destPath), posix.basename(destPath)];
    }
  } catch (err) {
    if (err instanceof CliError || !(err instanceof Error && 'statusCode' in err && err.statusCode === 404)) throw err;
    if (destPath.endsWith('/') && !local.isDirectory()) throw new CliError(1, 'no such directory');
    const clean = destPath.replace(/\/+$/, '') || '/';
    [dir, name] = [posix.dirname(clean), posix.basename(clean)];
  }
  const count = counter();
  const tar = Readable.from(tarPath(o.followLink ? src.replace(/\/+$/, '') : src, name)).pipe(count);
  await containerArchivePut(t, container, dir, tar, put);
  if (!o.quiet && ctx.stderr.isTTY) ctx.err(`Successfully copied ${humanSize(count.bytes)} to ${container}:${destPath}\n`);
}

/** `berth cp SRC DEST`: copy between a container and the local filesystem (or a tar stream with `-`). */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('cp')
    .description('Copy files/folders between a container and the local filesystem')
    .usage('[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n       berth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH')
    .option('-a, --archive', 'Archive mode (copy all uid/gid information)')
    .option('-L, --follow-link', 'Always follow symbol link in SRC_PATH')
    .option('-q, --quiet', 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached')
    .argument('<src>')
    .argument('<dest>')
    .action(async (srcArg: string, destArg: string, o: CpOptions) => {
      const src = splitCpArg(srcArg);
      const dest = splitCpArg(destArg);
      if (src.container !== undefined && dest.container !== undefined) throw new CliError(1, 'copying between containers is not supported');
      if (src.container === undefined && dest.container === undefined) throw new CliError(1, 'must specify at least one container source');
      if (src.container !== undefined) {
        if (!src.path) throw new CliError(1, 'source path cannot be empty');
        await copyFromContainer(ctx, src.container, src.path, dest.path, o);
      } else {
        if (!dest.path) throw new CliError(1, 'destination path cannot be empty');
        await copyToContainer(ctx, src.path, dest.container as string, dest.path, o);
      }
    });
}
