import { createHash } from 'node:crypto';
import { closeSync, linkSync, lstatSync, lutimesSync, mkdirSync, openSync, readdirSync, rmSync, symlinkSync, writeSync } from 'node:fs';
import { posix } from 'node:path';
import type { Digest } from '../shared/digest.js';
import { lchown as lchownSync, lsetxattr, makedev, mknod } from '../shared/libc.js';
import { applyMetaFdSync, applyMetaSync } from './file-meta.js';
import { LinkDonor } from './link-donor.js';
import { breakout, cleanName, ScopedRoot } from './scoped-root.js';
import type { TarHeader } from './tar-header.js';
import { TarPushParser, type BodySink } from './tar-push.js';

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
  /**
   * An earlier, never-written-again layer directory whose identical regular files are
   * hard-linked instead of written (link-donor.ts); only for layers berth makes itself.
   */
  donor?: string;
}

export interface ApplyLayerResult {
  /** sha256 of the uncompressed tar stream. */
  diffId: Digest;
  /** Uncompressed bytes read. */
  size: number;
  /**
   * What Docker counts as the layer's size (`docker history`, image Size), not the tar's
   * length: the bytes of the regular files and symlinks it unpacks (as dockerd's overlay2
   * measures the unpacked layer directory: non-directories' sizes, hard links once).
   */
  contentSize: number;
}

const WH = '.wh.';
const OPAQUE = '.wh..wh..opq';
const S_IF = { char: 0o020000, block: 0o060000, fifo: 0o010000 } as const;
const q = (s: string): string => JSON.stringify(s);

/**
 * What one entry adds to a layer's size as Docker measures it (the unpacked directory's
 * non-directories: a file's bytes, a symlink's target length; a hard link adds nothing).
 *
 * @example entrySize({ type: 'symlink', linkname: 'busybox', ... }) // 7
 */
export function entrySize(h: Pick<TarHeader, 'type' | 'size' | 'linkname'>): number {
  if (h.type === 'file') return h.size;
  if (h.type === 'symlink') return Buffer.byteLength(h.linkname);
  return 0;
}

/** A layer being unpacked from pushed chunks of its (plain) tar. */
export interface LayerSink {
  /** Unpacks every entry the chunk completes, synchronously; the chunk is not kept. */
  push(chunk: Buffer): void;
  /** The tar ended: checks it was whole, sets directory times; returns contentSize. */
  end(): number;
  /** Gives up (closes a file left open); `dir` keeps what was written. */
  abort(): void;
}

/**
 * Unpacks tar entries onto `dir` with plain blocking calls, one file at a time: per
 * regular file open, write, (fchown/fchmod only when needed), futimes, close, as tar does.
 * Meant for the layer worker thread (apply-worker.ts), where this beats promise-per-call
 * fs work several times over; on the main thread it would stall the daemon.
 * Paths never leave `dir`: names with `..` and hard links or symlinks pointing out are
 * rejected, and a symlink met on the way to an entry is refused (scoped-root.ts).
 * Push-driven (tar-push.ts): a body is written slice by slice as its chunks come.
 */
export function layerSink(dir: string, opts: LayerJobOptions = {}): LayerSink {
  const job = new LayerJob(dir, opts.whiteoutFormat ?? 'overlay', opts.anySymlinkTarget === true, opts.donor);
  const parser = new TarPushParser((h) => job.apply(h));
  return {
    push: (chunk) => parser.push(chunk),
    end: () => {
      parser.end();
      job.finish();
      return job.contentSize;
    },
    abort: () => job.close(),
  };
}

/**
 * layerSink over an async source, on this thread. `hashed: false` leaves the DiffID to the
 * caller (who sees the same bytes).
 */
export async function applyTarSync(src: AsyncIterable<Buffer | string>, dir: string, opts: LayerJobOptions = {}, hashed = true): Promise<ApplyLayerResult> {
  const sink = layerSink(dir, opts);
  const hash = hashed ? createHash('sha256') : undefined;
  let size = 0;
  let contentSize: number;
  try {
    for await (const c of src) {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      hash?.update(b);
      size += b.length;
      sink.push(b);
    }
    contentSize = sink.end();
  } finally {
    sink.abort();
  }
  return { diffId: `sha256:${hash ? hash.digest('hex') : ''}` as Digest, size, contentSize };
}

class LayerJob {
  private readonly root: ScopedRoot;
  private readonly written = new Set<string>();
  private readonly dirTimes: Array<[string, number]> = [];
  /** Bytes of the regular files and symlink targets unpacked (see ApplyLayerResult.contentSize). */
  contentSize = 0;
  /** The file being written (its body spans pushes), -1 when none. */
  private fd = -1;
  private readonly donor: LinkDonor | undefined;

  constructor(
    private readonly dir: string,
    private readonly format: WhiteoutFormat,
    private readonly anySymlinkTarget: boolean,
    donor?: string,
  ) {
    this.root = new ScopedRoot(dir);
    this.donor = donor ? new LinkDonor(donor) : undefined;
  }

  /** Applies one entry; for a regular file, returns where its body goes. */
  apply(h: TarHeader): BodySink | undefined {
    this.contentSize += entrySize(h);
    const rel = cleanName(h.name, this.dir);
    const base = posix.basename(rel);
    const parent = rel.includes('/') ? posix.dirname(rel) : '';
    if (this.format !== 'none') {
      if (rel.startsWith(`${WH}${WH}`)) return; // aufs metadata (.wh..wh.plnk/...), as docker skips it
      if (base.startsWith(WH)) return void this.whiteout(rel, parent, base, h);
    }
    if (h.type === 'other' || (rel === '' && h.type !== 'directory')) return undefined;
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
        return undefined;
      case 'file':
        return this.donor?.sink(h, res, abs, () => this.file(h, abs)) ?? this.file(h, abs);
      case 'link':
        this.hardlink(h, res, abs);
        return undefined;
      case 'symlink':
        symlinkSync(h.linkname, abs);
        applyMetaSync(abs, h, { symlink: true });
        return undefined;
      default:
        mknod(abs, S_IF[h.type] | h.mode, makedev(h.devmajor, h.devminor));
        applyMetaSync(abs, h);
        return undefined;
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

  /** Opens the file (mode at create); its body is written as it arrives, then owner and times. */
  private file(h: TarHeader, abs: string): BodySink {
    const fd = openSync(abs, 'wx', h.mode & 0o777);
    this.fd = fd;
    return {
      write: (b) => {
        for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
      },
      end: () => {
        this.fd = -1;
        try {
          applyMetaFdSync(fd, abs, h);
        } finally {
          closeSync(fd);
        }
      },
    };
  }

  /** Closes the file a failure left open. */
  close(): void {
    this.donor?.close();
    if (this.fd === -1) return;
    const fd = this.fd;
    this.fd = -1;
    closeSync(fd);
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
