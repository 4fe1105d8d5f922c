import { lstatSync, mkdirSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';
import { EngineError } from '../shared/errors.js';

const q = (s: string): string => JSON.stringify(s);

/** Docker's breakout error wording (`"../x" is outside of "/dest"`). */
export function breakout(message: string): EngineError {
  return new EngineError('invalid-argument', message);
}

/**
 * Clean a tar entry name to a path relative to the root ('' = the root itself).
 * Leading slashes are dropped (joined under the root, as Docker does); names that climb
 * out with `..` throw.
 */
export function cleanName(name: string, root: string): string {
  const rel = posix.normalize(name.replace(/^\/+/, '') || '.');
  if (rel === '..' || rel.startsWith('../')) throw breakout(`${q(name)} is outside of ${q(root)}`);
  return rel === '.' || rel === './' ? '' : rel.replace(/\/+$/, '');
}

/**
 * Resolves paths under one directory the way a chroot would: every component is
 * lstat'ed, a symlink on the way is refused (or, with followSymlinks, followed *inside* the
 * root: absolute targets restart at the root, `..` stops at it), missing directories are
 * created 0755. Remembers what it has seen,
 * so a fresh tree costs one mkdir per directory. Synchronous: it runs in the layer
 * worker thread (apply-worker.ts), where blocking calls cost less than promises.
 */
export class ScopedRoot {
  private readonly dirs = new Set<string>(['']);
  private readonly created = new Set<string>(['']);

  constructor(readonly root: string, rootIsFresh = false, private readonly followSymlinks = false) {
    if (!rootIsFresh) this.created.delete('');
  }

  abs(rel: string): string {
    return rel ? join(this.root, rel) : this.root;
  }

  /** Resolve `rel` as a directory (creating what is missing); returns the resolved relative path. */
  resolveDir(rel: string): string {
    if (this.dirs.has(rel)) return rel;
    const todo = rel.split('/');
    let cur = '';
    let hops = 0;
    while (todo.length) {
      const c = todo.shift() as string;
      if (c === '' || c === '.') continue;
      if (c === '..') {
        cur = cur.includes('/') ? cur.slice(0, cur.lastIndexOf('/')) : '';
        continue;
      }
      const next = cur ? `${cur}/${c}` : c;
      if (this.dirs.has(next)) {
        cur = next;
        continue;
      }
      const abs = this.abs(next);
      const st = lstatSync(abs, { throwIfNoEntry: false });
      if (!st) {
        try {
          mkdirSync(abs, { mode: 0o755 });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        }
        this.dirs.add(next);
        this.created.add(next);
      } else if (st.isDirectory()) {
        this.dirs.add(next);
      } else if (st.isSymbolicLink()) {
        // A layer made by a real build never writes through a symlink it also carries;
        // an archive that does is crafted, so refuse it rather than resolve it (Docker
        // resolves it inside the root; refusing is stricter and loses nothing legitimate).
        if (!this.followSymlinks) throw breakout(`${q(rel)} goes through symlink ${q(next)}`);
        if (++hops > 255) throw new EngineError('invalid-argument', `failed to resolve ${q(rel)}: too many levels of symbolic links`);
        const target = readlinkSync(abs);
        if (target.startsWith('/')) cur = '';
        todo.unshift(...target.split('/'));
        continue;
      } else {
        throw new EngineError('invalid-argument', `failed to resolve ${q(rel)}: ${q(next)} is not a directory`);
      }
      cur = next;
    }
    return cur;
  }

  /** Whether `rel` is a directory this resolver created (so its children cannot pre-exist). */
  isFresh(rel: string): boolean {
    return this.created.has(rel);
  }

  /** Record a directory made by the caller. */
  addDir(rel: string, fresh: boolean): void {
    this.dirs.add(rel);
    if (fresh) this.created.add(rel);
  }

  /** Forget `rel` and everything under it (it was removed or replaced). */
  forget(rel: string): void {
    const prefix = `${rel}/`;
    for (const set of [this.dirs, this.created]) {
      for (const d of set) if (d === rel || d.startsWith(prefix)) set.delete(d);
    }
  }
}
