import { link, lstat, mkdir, open, readdir, rm, symlink, lutimes } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import type { Digest } from '../shared/digest.js';
import { EngineError } from '../shared/errors.js';
import { lchown as lchownSync, lsetxattr, makedev, mknod } from '../shared/libc.js';
import { applyMeta, applyMetaFd } from './file-meta.js';
import { breakout, cleanName, ScopedRoot } from './scoped-root.js';
import type { TarHeader } from './tar-header.js';
import { readTar, type TarEntry, type TarStats } from './tar-reader.js';
import { TaskPool } from './task-pool.js';

/** How layer whiteouts land on disk ('none': not a layer, `.wh.` names are ordinary files). */
export type WhiteoutFormat = 'overlay' | 'delete' | 'none';

export interface ApplyLayerOptions {
  /** 'overlay' (default): `.wh.x` -> char 0/0, `.wh..wh..opq` -> trusted.overlay.opaque=y. 'delete': remove. 'none': plain files. */
  whiteoutFormat?: WhiteoutFormat;
  /** Files written in parallel (default 16). */
  concurrency?: number;
  /**
   * Keep relative symlinks that climb out of `dir` (a plain copy such as a volume's copy-up,
   * where `../../lib/x` is an ordinary link). Nothing is ever written through a symlink either way.
   */
  anySymlinkTarget?: boolean;
}

export interface ApplyLayerResult {
  /** sha256 of the uncompressed tar stream. */
  diffId: Digest;
  /** Uncompressed bytes read. */
  size: number;
}

const WH = '.wh.';
const OPAQUE = '.wh..wh..opq';
const SMALL_FILE = 1 << 20;
const S_IF = { char: 0o020000, block: 0o060000, fifo: 0o010000 } as const;
const q = (s: string): string => JSON.stringify(s);

/**
 * Unpack an (uncompressed) OCI/Docker layer tar onto `dir`, which is usually an overlay
 * upper directory. Paths never leave `dir`: names with `..` and hard links or symlinks
 * pointing out are rejected, symlinks met on the way are resolved inside `dir`.
 * Small files are written in parallel; big ones are streamed.
 *
 * @example const { diffId } = await applyLayer(await decompress(blob), snapshotter.upperDir(key));
 */
export async function applyLayer(tar: Readable | AsyncIterable<Buffer>, dir: string, opts: ApplyLayerOptions = {}): Promise<ApplyLayerResult> {
  const job = new LayerJob(dir, opts.whiteoutFormat ?? 'overlay', new TaskPool(opts.concurrency ?? 16), opts.anySymlinkTarget === true);
  const stats: TarStats = { size: 0, digest: () => 'sha256:' };
  try {
    for await (const entry of readTar(tar, stats)) await job.apply(entry);
    await job.finish();
  } catch (err) {
    await job.pool.barrier().catch(() => undefined);
    if ('destroy' in tar && typeof tar.destroy === 'function') tar.destroy();
    throw EngineError.is(err) ? err : EngineError.wrap('internal', 'failed to apply layer', err);
  }
  return { diffId: stats.digest() as Digest, size: stats.size };
}

class LayerJob {
  private readonly root: ScopedRoot;
  private readonly written = new Set<string>();
  private readonly dirTimes: Array<[string, number]> = [];

  constructor(
    private readonly dir: string,
    private readonly format: WhiteoutFormat,
    readonly pool: TaskPool,
    private readonly anySymlinkTarget = false,
  ) {
    this.root = new ScopedRoot(dir);
  }

  async apply(e: TarEntry): Promise<void> {
    const h = e.header;
    const rel = cleanName(h.name, this.dir);
    const base = posix.basename(rel);
    const parent = rel.includes('/') ? posix.dirname(rel) : '';
    if (this.format !== 'none') {
      if (rel.startsWith(`${WH}${WH}`)) return; // aufs metadata (.wh..wh.plnk/...), as docker skips it
      if (base.startsWith(WH)) return this.whiteout(rel, parent, base, h);
    }
    if (h.type === 'other' || (rel === '' && h.type !== 'directory')) return;
    if (h.type === 'symlink' && !this.anySymlinkTarget && !h.linkname.startsWith('/')) {
      const target = posix.normalize(posix.join(parent || '.', h.linkname));
      if (target === '..' || target.startsWith('../')) throw breakout(`invalid symlink ${q(rel)} -> ${q(h.linkname)}`);
    }
    const parentRes = rel ? await this.root.resolveDir(parent) : '';
    const res = rel ? (parentRes ? `${parentRes}/${base}` : base) : '';
    const abs = this.root.abs(res);
    await this.pool.waitFor(res);
    const exists = await this.prepareTarget(res, abs, h, parentRes);
    this.written.add(res);
    switch (h.type) {
      case 'directory':
        if (!exists) await mkdir(abs, { mode: h.mode & 0o777 });
        this.root.addDir(res, !exists);
        await applyMeta(abs, h, { times: false, existed: exists });
        this.dirTimes.push([abs, h.mtime]);
        return;
      case 'file':
        return this.file(e, res, abs);
      case 'link':
        return this.hardlink(h, res, abs);
      case 'symlink':
        await symlink(h.linkname, abs);
        return applyMeta(abs, h, { symlink: true });
      default:
        mknod(abs, S_IF[h.type] | h.mode, makedev(h.devmajor, h.devminor));
        return applyMeta(abs, h);
    }
  }

  /** Remove what is in the way; returns whether a directory stays (dir over dir). */
  private async prepareTarget(res: string, abs: string, h: TarHeader, parentRes: string): Promise<boolean> {
    if (res === '') return true;
    if (this.root.isFresh(parentRes) && !this.written.has(res) && !this.root.isFresh(res)) return false;
    const st = await lstat(abs).catch(() => undefined);
    if (!st) return false;
    if (st.isDirectory() && h.type === 'directory') return true;
    await this.pool.barrier();
    await rm(abs, { recursive: true, force: true });
    this.root.forget(res);
    return false;
  }

  private async file(e: TarEntry, res: string, abs: string): Promise<void> {
    const h = e.header;
    if (h.size <= SMALL_FILE) {
      const parts: Buffer[] = [];
      for await (const c of e.body()) parts.push(c);
      const data = parts.length === 1 ? parts[0] : Buffer.concat(parts);
      return this.pool.spawn(res, async () => {
        const fh = await open(abs, 'wx', h.mode & 0o777);
        try {
          if (data.length) await fh.writeFile(data);
          await applyMetaFd(fh, abs, h);
        } finally {
          await fh.close();
        }
      });
    }
    const fh = await open(abs, 'wx', h.mode & 0o777);
    try {
      for await (const c of e.body()) {
        let off = 0;
        while (off < c.length) off += (await fh.write(c, off, c.length - off)).bytesWritten;
      }
      await applyMetaFd(fh, abs, h);
    } finally {
      await fh.close();
    }
  }

  private async hardlink(h: TarHeader, res: string, abs: string): Promise<void> {
    let targetRel: string;
    try {
      targetRel = cleanName(h.linkname, this.dir);
    } catch {
      throw breakout(`invalid hardlink ${q(this.root.abs(res))} -> ${q(h.linkname)}`);
    }
    if (!targetRel) throw breakout(`invalid hardlink ${q(this.root.abs(res))} -> ${q(h.linkname)}`);
    const tparent = targetRel.includes('/') ? await this.root.resolveDir(posix.dirname(targetRel)) : '';
    const target = tparent ? `${tparent}/${posix.basename(targetRel)}` : targetRel;
    await this.pool.waitFor(target);
    await link(this.root.abs(target), abs);
  }

  private async whiteout(rel: string, parent: string, base: string, h: TarHeader): Promise<void> {
    await this.pool.barrier();
    const parentRes = await this.root.resolveDir(parent);
    const parentAbs = this.root.abs(parentRes);
    if (base === OPAQUE) {
      if (this.format === 'overlay') return lsetxattr(parentAbs, 'trusted.overlay.opaque', Buffer.from('y'));
      for (const name of await readdir(parentAbs)) {
        const child = parentRes ? `${parentRes}/${name}` : name;
        if (this.written.has(child)) continue;
        await rm(this.root.abs(child), { recursive: true, force: true });
        this.root.forget(child);
      }
      return;
    }
    if (base.startsWith(`${WH}${WH}`)) return;
    const name = base.slice(WH.length);
    if (!name || name === '.' || name === '..') throw breakout(`${q(rel)} is outside of ${q(this.dir)}`);
    const victim = parentRes ? `${parentRes}/${name}` : name;
    const abs = this.root.abs(victim);
    await rm(abs, { recursive: true, force: true });
    this.root.forget(victim);
    this.written.add(victim);
    if (this.format === 'overlay') {
      mknod(abs, S_IF.char, 0);
      lchownSync(abs, h.uid, h.gid);
    }
  }

  async finish(): Promise<void> {
    await this.pool.barrier();
    for (let i = this.dirTimes.length - 1; i >= 0; i--) {
      const [p, t] = this.dirTimes[i];
      await lutimes(p, t, t);
    }
  }
}
