import { posix } from 'node:path';
import { sha256 } from '../../shared/digest.js';
import { invalid } from '../../shared/errors.js';
import type { BuildContext } from '../context/build-context.js';
import { isWithin } from '../context/context-entry.js';
import type { CopyEntry } from './ports.js';

/** A COPY/ADD worked out against the context: what to write, what it read, its history text. */
export interface CopyPlan {
  entries: CopyEntry[];
  /** Per-file digests of everything read (cache key and miss explanations). */
  files: Record<string, string>;
  /** Docker's `file:<hash> in /dest ` / `dir:` / `multi:` text. */
  summary: string;
  /** Directories the copy makes even when nothing lands in them (a directory source's destination). */
  dirs: string[];
}

export interface CopyRequest {
  kind: 'COPY' | 'ADD';
  sources: string[];
  /**
   * Files given as bytes: heredoc bodies (`COPY <<EOF`), and downloads (`ADD <url>`, with
   * their mode, mtime and the URL as `key` in the per-file digests).
   */
  inline: { name: string; content: string | Buffer; mode?: number; mtime?: number; key?: string }[];
  dest: string;
  workdir: string;
  owner?: { uid: number; gid: number };
  chmod?: number;
}

/** Parses `--chmod` (octal, Docker's BuildKit form). */
export function parseChmod(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[0-7]{3,4}$/.test(raw)) throw invalid(`invalid chmod parameter: ${raw}`);
  return parseInt(raw, 8);
}

/** Resolves a destination against WORKDIR; a trailing `/` (or `.`) means "into this directory". */
export function resolveDest(dest: string, workdir: string): { path: string; isDir: boolean } {
  const isDir = dest.endsWith('/') || dest === '.' || dest.endsWith('/.');
  const abs = posix.isAbsolute(dest) ? dest : posix.join(workdir || '/', dest);
  return { path: posix.normalize(abs).replace(/(.)\/+$/, '$1'), isDir };
}

/** Whether a context file is an archive ADD extracts (gzip, bzip2, xz, or a tar). */
async function isArchive(ctx: BuildContext, path: string): Promise<boolean> {
  const buf = await ctx.head(path, 512);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) return true;
  if (buf.length >= 3 && buf.toString('latin1', 0, 3) === 'BZh') return true;
  if (buf.length >= 6 && buf.toString('latin1', 0, 6) === '\xfd7zXZ\0') return true;
  return buf.length === 512 && buf.toString('latin1', 257, 262) === 'ustar';
}

/**
 * The entries a COPY/ADD writes, with Docker's rules: a directory source copies its
 * contents, a file goes to `dest` or (when `dest` ends in `/`, or there are several sources)
 * into it; owner root unless `--chown`; ADD extracts local tar archives inside the image.
 *
 * @example await planCopy(ctx, { kind: 'COPY', sources: ['src'], inline: [], dest: '/app/', workdir: '/' })
 */
export async function planCopy(ctx: BuildContext, req: CopyRequest): Promise<CopyPlan> {
  const sources = req.sources.length ? ctx.copySources(req.sources) : [];
  const count = sources.length + req.inline.length;
  const dest = resolveDest(req.dest, req.workdir);
  if (count > 1 && !dest.isDir) {
    throw invalid(`When using ${req.kind} with more than one source file, the destination must be a directory and end with a /`);
  }
  const owner = req.owner ?? { uid: 0, gid: 0 };
  const entries: CopyEntry[] = [];
  const files: Record<string, string> = {};
  const dirs: string[] = [];
  const mode = (m: number): number => (req.chmod !== undefined ? req.chmod : m);
  for (const src of sources) {
    const digest = await ctx.sourceDigest(src.path);
    for (const f of digest.files) files[f.path || '.'] = f.digest;
    if (src.type === 'dir') {
      const base = src.path;
      dirs.push(dest.path);
      for (const e of ctx.list()) {
        if (!isWithin(e.path, base) || e.path === base) continue;
        const rel = base === '' ? e.path : e.path.slice(base.length + 1);
        const target = posix.join(dest.path, rel);
        entries.push({
          path: target,
          type: e.type,
          ...(e.type === 'file' ? { open: () => ctx.open(e.path), size: e.size } : {}),
          mode: e.type === 'symlink' ? 0o777 : mode(e.mode),
          uid: owner.uid,
          gid: owner.gid,
          linkname: e.linkname,
          mtime: Math.floor(e.mtimeMs / 1000),
        });
      }
      continue;
    }
    const e = ctx.entry(src.path)!;
    if (req.kind === 'ADD' && (await isArchive(ctx, src.path))) {
      entries.push({ path: dest.path, type: 'archive', hostPath: await ctx.hostPath(src.path), mode: 0o755, uid: owner.uid, gid: owner.gid });
      continue;
    }
    const target = dest.isDir || count > 1 ? posix.join(dest.path, posix.basename(src.path)) : dest.path;
    entries.push({ path: target, type: 'file', open: () => ctx.open(src.path), size: e.size, mode: mode(e.mode), uid: owner.uid, gid: owner.gid, mtime: Math.floor(e.mtimeMs / 1000) });
  }
  for (const doc of req.inline) {
    const target = dest.isDir || count > 1 ? posix.join(dest.path, doc.name) : dest.path;
    const content = typeof doc.content === 'string' ? Buffer.from(doc.content) : doc.content;
    // a download's digest covers its name, mode and bytes (not its mtime, as dockerd's tarsum)
    files[doc.key ?? `<<${doc.name}`] = doc.key ? sha256(JSON.stringify([doc.name, doc.mode, sha256(content)])) : sha256(content);
    entries.push({ path: target, type: 'file', content, size: content.length, mode: mode(doc.mode ?? 0o644), uid: owner.uid, gid: owner.gid, ...(doc.mtime !== undefined ? { mtime: doc.mtime } : {}) });
  }
  const hash = sha256(JSON.stringify(Object.entries(files))).slice('sha256:'.length);
  // one downloaded file is named by its bare hash, as the classic builder writes it
  if (count === 1 && req.inline[0]?.key) return { entries, files, dirs, summary: `${hash} in ${req.dest} ` };
  const what = count > 1 ? 'multi' : sources[0]?.type === 'dir' ? 'dir' : 'file';
  return { entries, files, dirs, summary: `${what}:${hash} in ${req.dest} ` };
}
