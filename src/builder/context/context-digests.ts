import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { sha256, type Digest } from '../../shared/digest.js';
import { notFound } from '../../shared/errors.js';
import { isWithin, walkOrder, type ContextEntry } from './context-entry.js';

/** Files hashed at once: enough to keep the disk busy, few enough for the fd limit. */
const HASH_CONCURRENCY = 16;

/** The files a COPY/ADD source covers, each with its digest, and one digest over all of them. */
export interface SourceDigest {
  digest: Digest;
  files: { path: string; digest: Digest }[];
}

/**
 * Content digests of context paths for the build cache, computed on first use and kept.
 * An entry's digest covers its path, type, mode, uid, gid, size, symlink target and (for
 * files) a sha256 of the content; the modification time is not part of it, as in Docker.
 *
 * @example
 *   const d = new ContextDigests(root, entries);
 *   (await d.source('src')).files; // [{ path: 'src', digest }, { path: 'src/a.js', digest }, ...]
 */
export class ContextDigests {
  private readonly memo = new Map<string, Promise<Digest>>();

  constructor(
    private readonly root: string,
    private readonly entries: ReadonlyMap<string, ContextEntry>,
  ) {}

  /** Digest of one entry (not of what is below it). */
  entry(path: string): Promise<Digest> {
    let p = this.memo.get(path);
    if (!p) {
      p = this.compute(path);
      this.memo.set(path, p);
    }
    return p;
  }

  /** `path` and everything below it, in walk order. */
  async source(path: string): Promise<SourceDigest> {
    const paths = [...this.entries.keys()].filter((p) => isWithin(p, path)).sort(walkOrder);
    if (paths.length === 0) throw notFound(`no such path in the build context: ${path || '.'}`);
    const files: SourceDigest['files'] = new Array(paths.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < paths.length) {
        const i = next++;
        files[i] = { path: paths[i]!, digest: await this.entry(paths[i]!) };
      }
    };
    await Promise.all(Array.from({ length: Math.min(HASH_CONCURRENCY, paths.length) }, worker));
    const digest = sha256(files.map((f) => `${f.path}\0${f.digest}\n`).join(''));
    return { digest, files };
  }

  private async compute(path: string): Promise<Digest> {
    const e = this.entries.get(path);
    if (!e) throw notFound(`no such path in the build context: ${path}`);
    const content = e.type === 'file' ? await this.contentHash(path) : '';
    const header = [e.type, e.path, e.mode.toString(8), e.uid, e.gid, e.size, e.linkname ?? '', content];
    return sha256(header.join('\0'));
  }

  private async contentHash(path: string): Promise<string> {
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(join(this.root, path))) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }
}
