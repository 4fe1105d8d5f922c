/** Flag pairs where the later one wins (mount(8) semantics). */
const OPPOSITES: Record<string, string> = {
  exec: 'noexec', noexec: 'exec', suid: 'nosuid', nosuid: 'suid', dev: 'nodev', nodev: 'dev',
  ro: 'rw', rw: 'ro', atime: 'noatime', noatime: 'atime', diratime: 'nodiratime', nodiratime: 'diratime',
  relatime: 'norelatime', norelatime: 'relatime', strictatime: 'nostrictatime', nostrictatime: 'strictatime',
  sync: 'async', async: 'sync',
};

const PROPAGATION = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave', 'unbindable', 'runbindable'];

/**
 * Merge tmpfs options like Docker's MergeTmpfsOptions: later flags override their opposite,
 * later `key=value` replaces the same key, one propagation mode survives.
 *
 * @example mergeTmpfsOptions(['noexec', 'nosuid', 'nodev', 'exec', 'size=1m']) // ['nosuid','nodev','exec','size=1m']
 */
export function mergeTmpfsOptions(options: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of options) {
    const opt = raw.trim();
    if (opt === '') continue;
    const eq = opt.indexOf('=');
    let drop: (o: string) => boolean;
    if (eq > 0) {
      const key = opt.slice(0, eq + 1);
      drop = (o) => o.startsWith(key);
    } else if (PROPAGATION.includes(opt)) {
      drop = (o) => PROPAGATION.includes(o);
    } else {
      const other = OPPOSITES[opt];
      drop = (o) => o === opt || o === other;
    }
    for (let i = out.length - 1; i >= 0; i--) if (drop(out[i]!)) out.splice(i, 1);
    out.push(opt);
  }
  return out;
}
