import { statSync } from 'node:fs';
import { dirname, normalize } from 'node:path';

/**
 * docker's ValidateOutputPath for `-o FILE` and cp destinations: the directory must exist, and
 * an existing path must be a directory or a regular file. Returns docker's message, or undefined
 * (`save`/`export -o` word a missing directory as the stat error, `cp` as "does not exist").
 */
export function outputPathError(path: string, missingDir: 'stat' | 'exists' = 'exists'): string | undefined {
  const dir = dirname(normalize(path));
  if (dir !== '' && dir !== '.') {
    try {
      statSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        return missingDir === 'stat' ? `invalid output path: stat ${dir}: no such file or directory` : `invalid output path: directory ${JSON.stringify(dir)} does not exist`;
      }
    }
  }
  let st;
  try {
    st = statSync(path);
  } catch {
    return undefined;
  }
  if (st.isDirectory() || st.isFile()) return undefined;
  if (st.isCharacterDevice()) return 'cannot write to a character device file';
  if (st.isBlockDevice()) return 'cannot write to a block device file';
  return `invalid output path: ${JSON.stringify(path)} must be a directory or a regular file`;
}

/** An open error as Go words it (`open /x: no such file or directory`). */
export function openError(path: string, e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const text: Record<string, string> = { ENOENT: 'no such file or directory', EACCES: 'permission denied', EISDIR: 'is a directory' };
  return code && text[code] ? `open ${path}: ${text[code]}` : (e as Error).message;
}
