import { closeSync, linkSync, lstatSync, lutimesSync, mkdirSync, openSync, readdirSync, rmSync, symlinkSync, writeSync, writevSync } from 'node:fs';
import { posix } from 'node:path';
import type { Digest } from '../shared/digest.js';
import { lchown as lchownSync, lsetxattr, makedev, mknod } from '../shared/libc.js';
import { applyMetaFdSync, applyMetaSync } from './file-meta.js';
import { breakout, cleanName, ScopedRoot } from './scoped-root.js';
import type { TarHeader } from './tar-header.js';
import { readTar, type TarEntry, type TarStats } from './tar-reader.js';

/** How layer whiteouts land on disk ('none': not a layer, `.wh.` names are ordinary files). */
export type WhiteoutFormat = 'overlay' | 'delete' | 'none';

/** What the layer job needs to know (plain data: it crosses into the worker thread). */
export interface LayerJobOptions {
  /** 'overlay' (default): `.wh.x` -> char 0/0, `.wh..wh..opq` -> trusted.overlay.opaque=y. 'delete': remove. 'none': plain files. */
  whiteoutFormat?: WhiteoutFormat;
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
const S_IF = { char: 0o020000, block: 0o060000, fifo: 0o010000 } as const;
const q = (s: string): string => JSON.stringify(s);

/**
 * Unpacks tar entries onto `dir` with plain blocking calls, one file at a time: per
 * regular file open, write, (fchown/fchmod only when needed), futimes, close, as tar does.
 * Meant for the layer worker thread (apply-worker.ts), where this beats promise-per-call
 * fs work several times over; on the main thread it would stall the daemon.
 * Paths never leave `dir`: names with `..` and hard links or symlinks pointing out are
 * rejected, and a symlink met on the way to an entry is refused (scoped-root.ts).
 * `hashed: false` leaves the DiffID and size to the caller (who sees the same bytes).
 */
export async function applyTarSync(src: AsyncIterable<Buffer>, dir: string, opts: LayerJobOptions = {}, hashed = true): Promise<ApplyLayerResult> {
  const job = new LayerJob(dir, opts.whiteoutFormat ?? 'overlay', opts.anySymlinkTarget === true);
  const stats: TarStats = { size: 0, digest: () => 'sha256:' };
  for await (const entry of readTar(src, hashed ? stats : undefined)) await job.apply(entry);
  job.finish();
  return { diffId: stats.digest() as Digest, size: stats.size };
}

class LayerJob {
  private readonly root: ScopedRoot;
  private readonly written = new Set<string>();
  private readonly dirTimes: Array<[string, number]> = [];

  constructor(
    private readonly dir: string,
    private readonly format: WhiteoutFormat,
    private readonly anySymlinkTarget: boolean,
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
    const parentRes = rel ? this.root.resolveDir(parent) : '';
    const res = rel ? (parentRes ? `${parentRes}/${base}` : base) : '';
    const abs = this.root.abs(res);
    const exists = this.prepareTarget(res, abs, h, parentRes);
    this.written.add(res);
    switch (h.type) {
      case 'directory':
        if (!exists) mkdirSync(abs, { mode: h.mode & 0o777 });
        this.root.addDir(res, !exists);
        applyMetaSync(abs, h, { times: false, existed: exists });
        this.dirTimes.push([abs, h.mtime]);
        return;
      case 'file':
        return this.file(e, abs);
      case 'link':
        return this.hardlink(h, res, abs);
      case 'symlink':
        symlinkSync(h.linkname, abs);
        return applyMetaSync(abs, h, { symlink: true });
      default:
        mknod(abs, S_IF[h.type] | h.mode, makedev(h.devmajor, h.devminor));
        return applyMetaSync(abs, h);
    }
  }

  /** Remove what is in the way; returns whether a directory stays (dir over dir). */
  private prepareTarget(res: string, abs: string, h: TarHeader, parentRes: string): boolean {
    if (res === '') return true;
    // in a directory this job created, only what it wrote itself can be in the way
    if (this.root.isFresh(parentRes) && !this.written.has(res) && !this.root.isFresh(res)) return false;
    const st = lstatSync(abs, { throwIfNoEntry: false });
    if (!st) return false;
    if (st.isDirectory() && h.type === 'directory') return true;
    rmSync(abs, { recursive: true, force: true });
    this.root.forget(res);
    return false;
  }

  private async file(e: TarEntry, abs: string): Promise<void> {
    const h = e.header;
    const fd = openSync(abs, 'wx', h.mode & 0o777);
    try {
      // the body is usually one slice of the chunk at hand; gather what is there, write once
      let parts: Buffer[] = [];
      let have = 0;
      for await (const c of e.body()) {
        parts.push(c);
        have += c.length;
        if (have >= 1 << 20) {
          writeAll(fd, parts);
          parts = [];
          have = 0;
        }
      }
      if (have) writeAll(fd, parts);
      applyMetaFdSync(fd, abs, h);
    } finally {
      closeSync(fd);
    }
  }

  private hardlink(h: TarHeader, res: string, abs: string): void {
    let targetRel: string;
    try {
      targetRel = cleanName(h.linkname, this.dir);
    } catch {
      throw breakout(`invalid hardlink ${q(this.root.abs(res))} -> ${q(h.linkname)}`);
    }
    if (!targetRel) throw breakout(`invalid hardlink ${q(this.root.abs(res))} -> ${q(h.linkname)}`);
    const tparent = targetRel.includes('/') ? this.root.resolveDir(posix.dirname(targetRel)) : '';
    const target = tparent ? `${tparent}/${posix.basename(targetRel)}` : targetRel;
    linkSync(this.root.abs(target), abs);
  }

  private whiteout(rel: string, parent: string, base: string, h: TarHeader): void {
    const parentRes = this.root.resolveDir(parent);
    const parentAbs = this.root.abs(parentRes);
    if (base === OPAQUE) {
      if (this.format === 'overlay') return lsetxattr(parentAbs, 'trusted.overlay.opaque', Buffer.from('y'));
      for (const name of readdirSync(parentAbs)) {
        const child = parentRes ? `${parentRes}/${name}` : name;
        if (this.written.has(child)) continue;
        rmSync(this.root.abs(child), { recursive: true, force: true });
        this.root.forget(child);
      }
      return;
    }
    if (base.startsWith(`${WH}${WH}`)) return;
    const name = base.slice(WH.length);
    if (!name || name === '.' || name === '..') throw breakout(`${q(rel)} is outside of ${q(this.dir)}`);
    const victim = parentRes ? `${parentRes}/${name}` : name;
    const abs = this.root.abs(victim);
    rmSync(abs, { recursive: true, force: true });
    this.root.forget(victim);
    this.written.add(victim);
    if (this.format === 'overlay') {
      mknod(abs, S_IF.char, 0);
      lchownSync(abs, h.uid, h.gid);
    }
  }

  /** Directory times last (writing inside a directory moves its mtime), deepest first. */
  finish(): void {
    for (let i = this.dirTimes.length - 1; i >= 0; i--) {
      const [p, t] = this.dirTimes[i]!;
      lutimesSync(p, t, t);
    }
  }
}

function writeAll(fd: number, parts: Buffer[]): void {
  if (parts.length === 1) {
    const b = parts[0]!;
    for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
    return;
  }
  const total = parts.reduce((n, b) => n + b.length, 0);
  const done = writevSync(fd, parts);
  if (done < total) {
    const rest = Buffer.concat(parts).subarray(done);
    for (let off = 0; off < rest.length; ) off += writeSync(fd, rest, off, rest.length - off);
  }
}
