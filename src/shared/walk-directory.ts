import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { WalkEntry } from './dockerignore.js';

/**
 * Every path under `root` in walk order (parents first, siblings by name), relative to it.
 * Symlinks are listed, never followed. Feed it to `selectContextPaths` to get what the docker
 * CLI would send for a directory context.
 *
 * @example for await (const e of walkDirectory('.')) console.log(e.path, e.dir);
 */
export async function* walkDirectory(root: string, prefix = ''): AsyncGenerator<WalkEntry> {
  const items = await readdir(prefix ? join(root, prefix) : root, { withFileTypes: true });
  items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const item of items) {
    const path = prefix ? `${prefix}/${item.name}` : item.name;
    const dir = item.isDirectory();
    yield { path, dir };
    if (dir) yield* walkDirectory(root, path);
  }
}
