import { invalid } from '../../shared/errors.js';
import type { ContextEntry } from './context-entry.js';

const MAX_HOPS = 255;

/**
 * Resolve a relative path inside the context the way a chroot would: every symlink on the
 * way (the last component included) is followed, absolute targets restart at the context
 * root and `..` stops there, so the result never leaves the context. Components that do not
 * exist are kept as written. Works on the extracted entries, without touching the disk.
 *
 * @example resolveInContext(entries, 'link/file'); // 'real-dir/file' when link -> /real-dir
 */
export function resolveInContext(entries: ReadonlyMap<string, ContextEntry>, rel: string): string {
  const todo = rel.split('/');
  const done: string[] = [];
  let hops = 0;
  while (todo.length) {
    const c = todo.shift()!;
    if (c === '' || c === '.') continue;
    if (c === '..') {
      done.pop();
      continue;
    }
    const next = [...done, c].join('/');
    const e = entries.get(next);
    if (e?.type === 'symlink') {
      if (++hops > MAX_HOPS) throw invalid(`failed to resolve ${JSON.stringify(rel)}: too many levels of symbolic links`);
      const target = e.linkname ?? '';
      if (target.startsWith('/')) done.length = 0;
      todo.unshift(...target.split('/'));
      continue;
    }
    done.push(c);
    if (!e) {
      // Nothing below a missing component can exist: keep the rest as written.
      for (const rest of todo) {
        if (rest === '..') done.pop();
        else if (rest !== '' && rest !== '.') done.push(rest);
      }
      break;
    }
  }
  return done.join('/');
}
