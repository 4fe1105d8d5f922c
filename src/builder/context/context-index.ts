import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { EngineError, invalid } from '../../shared/errors.js';
import { cleanRelative, isWithin, type ContextEntry } from './context-entry.js';
import { limited } from './safe-extract.js';
import { TarScan } from './tar-scan.js';

/** A context entry with where its bytes are kept: a range of the context's spool file. */
export interface IndexedEntry extends ContextEntry {
  /** Files: offset of the content in the spool file. */
  offset?: number;
  /** Files: sha256 (hex) of the content, computed while receiving. */
  contentHash?: string;
}

export interface IndexOptions {
  /** Refuse archives whose (uncompressed) tar stream is larger than this many bytes. */
  maxBytes?: number;
}

const q = (s: string): string => JSON.stringify(s);
const tarError = (message: string): EngineError => invalid(`Error processing tar file: ${message}`);
const EMPTY_HASH = createHash('sha256').digest('hex');
const KEPT = new Set(['file', 'directory', 'symlink', 'link']);

/** Appends bytes to the spool file; `write` says whether to wait for `drained` before more. */
class Spool {
  private readonly out: WriteStream;
  private failure: Error | undefined;
  offset = 0;

  constructor(path: string) {
    this.out = createWriteStream(path, { flags: 'wx', mode: 0o600, highWaterMark: 1 << 22 });
    this.out.on('error', (err) => (this.failure ??= err));
  }

  write(chunk: Buffer): boolean {
    this.offset += chunk.length;
    return this.out.write(chunk);
  }

  async drained(): Promise<void> {
    if (this.failure) throw this.failure;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.out.off('drain', done);
        this.out.off('error', done);
        resolve();
      };
      this.out.on('drain', done);
      this.out.on('error', done);
    });
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.out.end(resolve));
    if (this.failure) throw this.failure;
  }

  destroy(): void {
    this.out.destroy();
  }
}

/**
 * Read a (plain) tar stream into an index without unpacking it: file contents are appended
 * to `spoolPath` (one sequential file) and hashed on the way; every entry is recorded with
 * its header's metadata. The archive's names are checked as an extraction would: a leading
 * `/` is dropped, `..` that climbs out is refused, an entry below a symlink is refused, hard
 * links must point at a regular file already seen (they share its bytes), devices and fifos
 * are skipped, later entries replace earlier ones, directories the tar only implies get
 * 0755, root, the receiving time.
 *
 * @example const entries = await indexTar(plainTar, '/var/lib/berth/builder/tmp/context-1/files', { maxBytes });
 */
export async function indexTar(src: AsyncIterable<Buffer>, spoolPath: string, options: IndexOptions = {}): Promise<Map<string, IndexedEntry>> {
  const entries = new Map<string, IndexedEntry>();
  const spool = new Spool(spoolPath);
  const now = Date.now();
  const ensureParents = (rel: string, name: string): void => {
    for (let i = rel.indexOf('/'); i > 0; i = rel.indexOf('/', i + 1)) {
      const dir = rel.slice(0, i);
      const e = entries.get(dir);
      if (e?.type === 'dir') continue;
      if (e?.type === 'symlink') throw tarError(`${q(name)} goes through symlink ${q(dir)}`);
      if (e) throw tarError(`${q(name)}: ${q(dir)} is not a directory`);
      entries.set(dir, { path: dir, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtimeMs: now });
    }
  };
  const replace = (rel: string, keepDir: boolean): void => {
    const e = entries.get(rel);
    if (!e || (keepDir && e.type === 'dir')) return;
    entries.delete(rel);
    if (e.type === 'dir') for (const p of [...entries.keys()]) if (isWithin(p, rel)) entries.delete(p);
  };
  /** The file whose body is arriving. */
  let file: { entry: IndexedEntry; hash: Hash } | undefined;
  let wait = false;
  const scan = new TarScan({
    entry(h) {
      file = undefined;
      const rel = cleanRelative(h.name);
      if (rel === undefined) throw tarError(`${q(h.name)} is outside of the build context`);
      if (rel === '' || !KEPT.has(h.type)) return;
      const meta = { mode: h.mode & 0o7777, uid: h.uid, gid: h.gid, mtimeMs: h.mtime ? h.mtime * 1000 : now };
      ensureParents(rel, h.name);
      if (h.type === 'directory') {
        replace(rel, true);
        entries.set(rel, { path: rel, type: 'dir', size: 0, ...meta });
      } else if (h.type === 'symlink') {
        replace(rel, false);
        entries.set(rel, { path: rel, type: 'symlink', size: 0, linkname: h.linkname, ...meta });
      } else if (h.type === 'link') {
        const target = cleanRelative(h.linkname);
        const t = target === undefined ? undefined : entries.get(target);
        if (!t || t.type !== 'file') throw tarError(`hard link ${q(h.name)} to ${q(h.linkname)}: no such file in the build context`);
        replace(rel, false);
        entries.set(rel, { path: rel, type: 'file', size: t.size, offset: t.offset, contentHash: t.contentHash, ...meta });
      } else {
        replace(rel, false);
        const entry: IndexedEntry = { path: rel, type: 'file', size: 0, offset: spool.offset, contentHash: EMPTY_HASH, ...meta };
        entries.set(rel, entry);
        file = { entry, hash: createHash('sha256') };
      }
    },
    data(chunk) {
      if (!file) return;
      file.hash.update(chunk);
      if (!spool.write(chunk)) wait = true;
    },
    end() {
      if (!file) return;
      file.entry.size = spool.offset - file.entry.offset!;
      if (file.entry.size) file.entry.contentHash = file.hash.digest('hex');
      file = undefined;
    },
  });
  try {
    for await (const chunk of limited(src, options.maxBytes)) {
      scan.push(chunk);
      if (wait) {
        wait = false;
        await spool.drained();
      }
    }
    scan.finish();
    await spool.close();
  } catch (err) {
    spool.destroy();
    throw EngineError.is(err) ? err : EngineError.wrap('invalid-argument', 'Error processing tar file', err);
  }
  return entries;
}
