import { createHash } from 'node:crypto';
import { EngineError, invalid } from '../../shared/errors.js';
import { cleanRelative, isWithin } from './context-entry.js';
import type { IndexedEntry } from './context-index.js';

const q = (s: string): string => JSON.stringify(s);
export const tarError = (message: string): EngineError => invalid(`Error processing tar file: ${message}`);
export const EMPTY_HASH = createHash('sha256').digest('hex');

/** An entry as an archive header (or a manifest line) describes it. */
export interface EntryHeader {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'link';
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch; 0 means unknown (the receiving time is used). */
  mtime: number;
  linkname: string;
}

/**
 * The entries of a context being received, with an extraction's rules: a leading `/` is
 * dropped, `..` that climbs out is refused, an entry below a symlink is refused, hard links
 * must point at a regular file already seen (they share its bytes), later entries replace
 * earlier ones, directories only implied get 0755, root, the receiving time. Shared by the
 * tar indexer (context-index.ts) and the incremental context (synced-contexts.ts), so both
 * give the same index for the same context.
 */
export class EntryTable {
  readonly entries = new Map<string, IndexedEntry>();
  private readonly now = Date.now();

  /**
   * Records one entry; returns it (files: the caller fills in offset, size, contentHash),
   * or undefined for the root.
   */
  add(h: EntryHeader): IndexedEntry | undefined {
    const rel = cleanRelative(h.name);
    if (rel === undefined) throw tarError(`${q(h.name)} is outside of the build context`);
    if (rel === '') return undefined;
    const meta = { mode: h.mode & 0o7777, uid: h.uid, gid: h.gid, mtimeMs: h.mtime ? h.mtime * 1000 : this.now };
    this.ensureParents(rel, h.name);
    let e: IndexedEntry;
    if (h.type === 'directory') {
      this.replace(rel, true);
      e = { path: rel, type: 'dir', size: 0, ...meta };
    } else if (h.type === 'symlink') {
      this.replace(rel, false);
      e = { path: rel, type: 'symlink', size: 0, linkname: h.linkname, ...meta };
    } else if (h.type === 'link') {
      const target = cleanRelative(h.linkname);
      const t = target === undefined ? undefined : this.entries.get(target);
      if (!t || t.type !== 'file') throw tarError(`hard link ${q(h.name)} to ${q(h.linkname)}: no such file in the build context`);
      this.replace(rel, false);
      e = { path: rel, type: 'file', size: t.size, offset: t.offset, contentHash: t.contentHash, ...meta };
    } else {
      this.replace(rel, false);
      e = { path: rel, type: 'file', size: 0, contentHash: EMPTY_HASH, ...meta };
    }
    this.entries.set(rel, e);
    return e;
  }

  private ensureParents(rel: string, name: string): void {
    for (let i = rel.indexOf('/'); i > 0; i = rel.indexOf('/', i + 1)) {
      const dir = rel.slice(0, i);
      const e = this.entries.get(dir);
      if (e?.type === 'dir') continue;
      if (e?.type === 'symlink') throw tarError(`${q(name)} goes through symlink ${q(dir)}`);
      if (e) throw tarError(`${q(name)}: ${q(dir)} is not a directory`);
      this.entries.set(dir, { path: dir, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtimeMs: this.now });
    }
  }

  private replace(rel: string, keepDir: boolean): void {
    const e = this.entries.get(rel);
    if (!e || (keepDir && e.type === 'dir')) return;
    this.entries.delete(rel);
    if (e.type === 'dir') for (const p of [...this.entries.keys()]) if (isWithin(p, rel)) this.entries.delete(p);
  }
}
