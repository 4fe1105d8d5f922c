import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Live process (a zombie waiting to be reaped does not count). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * Writes our pid, refusing (with dockerd's wording) when the file names a live process.
 * A stale pidfile (dead pid, garbage) is replaced.
 */
export function acquirePidfile(path: string, pid = process.pid): void {
  let old: number | undefined;
  try {
    old = parseInt(readFileSync(path, 'utf8').trim(), 10);
  } catch {
    old = undefined;
  }
  if (old && old > 0 && old !== pid && alive(old)) {
    throw new Error(`pid file found, ensure docker is not running or delete ${path}`);
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${pid}`, { mode: 0o644 });
}

/** Removes the pidfile if it still names us. */
export function releasePidfile(path: string, pid = process.pid): void {
  try {
    if (parseInt(readFileSync(path, 'utf8'), 10) === pid) rmSync(path, { force: true });
  } catch {
    // already gone
  }
}
