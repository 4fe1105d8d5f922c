import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';

/** Decode the octal escapes (\040 etc.) that /proc/self/mountinfo uses in paths. */
function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** Mount points at or below `prefix`, deepest first (from /proc/self/mountinfo). */
export function mountsUnder(prefix: string): string[] {
  const base = prefix.replace(/\/+$/, '');
  const lines = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  const points = new Set<string>();
  for (const line of lines) {
    const fields = line.split(' ');
    if (fields.length < 5) continue;
    const mp = unescapeMountPath(fields[4]!);
    if (mp === base || mp.startsWith(base + '/')) points.add(mp);
  }
  return [...points].sort((a, b) => b.length - a.length);
}

/** Unmount (lazily, repeatedly for stacked mounts) everything under `prefix`; returns what was mounted. */
export function unmountAllUnder(prefix: string): string[] {
  const found = mountsUnder(prefix);
  for (let round = 0; round < 5; round++) {
    const left = mountsUnder(prefix);
    if (left.length === 0) break;
    for (const mp of left) spawnSync('umount', ['-l', mp], { stdio: 'ignore' });
  }
  return found;
}

/** PIDs (not ours) whose command line mentions `needle` — e.g. conmon/crun left behind for a test's exec-root. */
export function pidsMentioning(needle: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes(needle)) pids.push(pid);
    } catch {
      /* gone */
    }
  }
  return pids;
}

/** SIGKILL each PID (best effort); returns the ones that were signalled. */
export function killPids(pids: number[]): number[] {
  const done: number[] = [];
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
      done.push(pid);
    } catch {
      /* already gone */
    }
  }
  return done;
}

/** True when a process with this PID exists (and is not a zombie). */
export function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Remove a directory tree after unmounting what is below it. */
export function removeTree(dir: string): void {
  unmountAllUnder(dir);
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
