import { lstat, readlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { EngineError } from '../../shared/errors.js';

const MAX_SYMLINKS = 255;

/**
 * Resolve `unsafePath` inside `root` as if `root` were `/`: symlinks (absolute or relative)
 * and `..` can never leave `root`. Missing components are kept as written.
 *
 * @example await secureJoin('/rootfs', '/etc/passwd') // '/rootfs/etc/passwd', even if etc -> /../../host/etc
 */
export async function secureJoin(root: string, unsafePath: string): Promise<string> {
  const pending = unsafePath.split('/').filter((p) => p !== '' && p !== '.');
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const candidate = posix.join(root, ...resolved, part);
    let isLink = false;
    try {
      isLink = (await lstat(candidate)).isSymbolicLink();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err;
    }
    if (!isLink) {
      resolved.push(part);
      continue;
    }
    if (++links > MAX_SYMLINKS) throw new EngineError('invalid-argument', `too many symlinks resolving ${unsafePath} in ${root}`);
    const target = await readlink(candidate);
    if (target.startsWith('/')) resolved.length = 0;
    pending.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
  }
  return posix.join(root, ...resolved);
}
