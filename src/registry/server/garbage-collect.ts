import type { Digest } from '../../shared/digest.js';
import { RegistryStorage } from './registry-storage.js';

/**
 * Mark and sweep: every blob reachable from a manifest of any repository is kept; the
 * rest of the content store is deleted, and repository links to deleted blobs dropped.
 * Run while the registry is not serving (as the distribution registry requires).
 */
export async function garbageCollect(root: string, opts: { dryRun?: boolean } = {}): Promise<{ deleted: Digest[]; kept: number }> {
  const storage = new RegistryStorage(root);
  const marked = new Set<string>();
  for (const name of await storage.repos.names()) {
    const repo = await storage.repos.read(name);
    for (const [digest, rec] of Object.entries(repo?.manifests ?? {})) {
      marked.add(digest);
      for (const r of rec.refs) marked.add(r);
    }
  }
  const deleted: Digest[] = [];
  for (const blob of await storage.content.list()) {
    if (marked.has(blob.digest)) continue;
    deleted.push(blob.digest);
    if (!opts.dryRun) await storage.content.delete(blob.digest);
  }
  if (!opts.dryRun && deleted.length) {
    const gone = new Set<string>(deleted);
    for (const name of await storage.repos.names()) {
      await storage.repos.update(name, (r) => {
        r.blobs = r.blobs.filter((b) => !gone.has(b));
      });
    }
  }
  return { deleted, kept: marked.size };
}
