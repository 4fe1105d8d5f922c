import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ContextDigests, type SourceDigest } from './context-digests.js';
import { walkOrder, type ContextEntry } from './context-entry.js';
import { resolveCopySources, type CopySource } from './copy-sources.js';
import { resolveInContext } from './scoped-resolve.js';

/** The Dockerfile the build runs, read from the context before `.dockerignore` could hide it. */
export interface ContextDockerfile {
  /** Its path in the context, as found (`Dockerfile`, `dockerfile`, `sub/Dockerfile.dev`). */
  path: string;
  content: string;
}

/**
 * A build context unpacked into a private directory: what COPY and ADD read, with lazy
 * per-file digests for the cache. The directory belongs to the context; `dispose()` removes it.
 *
 * @example
 *   const ctx = await receiveContext(req, { workDir });
 *   try {
 *     const srcs = ctx.copySources(['*.js']);
 *     const { digest } = await ctx.sourceDigest(srcs[0].path);
 *   } finally { await ctx.dispose(); }
 */
export class BuildContext {
  private readonly digests: ContextDigests;

  constructor(
    /** The directory holding the context's files. */
    readonly root: string,
    private readonly entries: Map<string, ContextEntry>,
    readonly dockerfile: ContextDockerfile,
  ) {
    this.digests = new ContextDigests(root, entries);
  }

  /** The entry at `path` (not following symlinks), if any. */
  entry(path: string): ContextEntry | undefined {
    return this.entries.get(path);
  }

  /** Every entry, parents before children. */
  list(): ContextEntry[] {
    return [...this.entries.values()].sort((a, b) => walkOrder(a.path, b.path));
  }

  /** Absolute path on disk of a context path (symlinks followed inside the context). */
  hostPath(path: string): string {
    const rel = resolveInContext(this.entries, path);
    return rel ? join(this.root, rel) : this.root;
  }

  /** COPY/ADD sources (expanded) to context paths, with Docker's errors. */
  copySources(sources: string[]): CopySource[] {
    return resolveCopySources(this.entries, sources);
  }

  /** Digest of `path` and everything below it, with one digest per file. */
  sourceDigest(path: string): Promise<SourceDigest> {
    return this.digests.source(path);
  }

  async dispose(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
