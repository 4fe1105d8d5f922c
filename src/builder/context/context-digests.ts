import { sha256, type Digest } from '../../shared/digest.js';
import { notFound } from '../../shared/errors.js';
import { isWithin, sortWalkOrder } from './context-entry.js';
import type { IndexedEntry } from './context-index.js';

/** The files a COPY/ADD source covers, each with its digest, and one digest over all of them. */
export interface SourceDigest {
  digest: Digest;
  files: { path: string; digest: Digest }[];
}

/**
 * Digests of context paths for the build cache, from the index alone (file contents were
 * hashed while the context arrived, so nothing is read here). An entry's digest covers its
 * path, type, mode, uid, gid, size, symlink target and (for files) the content's sha256;
 * the modification time is not part of it, as in Docker.
 *
 * @example
 *   const d = new ContextDigests(entries);
 *   (await d.source('src')).files; // [{ path: 'src', digest }, { path: 'src/a.js', digest }, ...]
 */
export class ContextDigests {
  private sorted: string[] | undefined;

  constructor(private readonly entries: ReadonlyMap<string, IndexedEntry>) {}

  /** Digest of one entry (not of what is below it); kept on the entry. */
  entry(path: string): Digest {
    const e = this.entries.get(path);
    if (!e) throw notFound(`no such path in the build context: ${path}`);
    if (!e.digest) {
      const content = e.type === 'file' ? (e.contentHash ?? '') : '';
      e.digest = sha256([e.type, e.path, e.mode.toString(8), e.uid, e.gid, e.size, e.linkname ?? '', content].join('\0'));
    }
    return e.digest;
  }

  /** `path` and everything below it, in walk order. */
  async source(path: string): Promise<SourceDigest> {
    this.sorted ??= sortWalkOrder(this.entries.keys());
    const paths = path === '' ? this.sorted : this.sorted.filter((p) => isWithin(p, path));
    if (paths.length === 0) throw notFound(`no such path in the build context: ${path || '.'}`);
    const files = paths.map((p) => ({ path: p, digest: this.entry(p) }));
    const digest = sha256(files.map((f) => `${f.path}\0${f.digest}\n`).join(''));
    return { digest, files };
  }
}
