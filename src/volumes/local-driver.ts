import { invalid } from '../shared/errors.js';

/**
 * The `local` volume driver's rules (moby volume/local): names, options, and whether a
 * volume is a plain directory or a device mounted on its `_data` at first use.
 */

/** The local driver's name and the only driver berth has. */
export const LOCAL_DRIVER = 'local';

const NAME_CHARS = '[a-zA-Z0-9][a-zA-Z0-9_.-]';
const NAME_RE = new RegExp(`^${NAME_CHARS}+$`);

/**
 * Docker's volume name check (names become directories: no `/`, no `..`, no leading dot).
 * Throws without the `create <name>:` prefix, which the caller adds.
 */
export function validateVolumeName(name: string): void {
  if (name.length === 1) throw invalid('volume name is too short, names should be at least two alphanumeric characters');
  if (!NAME_RE.test(name)) {
    throw invalid(`${JSON.stringify(name)} includes invalid characters for a local volume name, only ${JSON.stringify(NAME_CHARS)} are allowed. If you intended to pass a host directory, use absolute path`);
  }
}

/** Whether a name could be a local volume's (for reading directories back). */
export const isVolumeName = (name: string): boolean => NAME_RE.test(name);

const VALID_OPTS = ['type', 'o', 'device', 'size'];
/** An option that needs others, checked in this order (Docker iterates a map). */
const MANDATORY: [string, string[]][] = [
  ['o', ['device', 'type']],
  ['device', ['type']],
  ['type', ['device']],
];

/** go-units RAMInBytes: `1024`, `64k`, `1.5m`, `2GB`, `1GiB`. */
export function ramInBytes(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?$/i.exec(s.trim());
  if (!m) throw invalid(`invalid size: '${s}'`);
  const mult = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 }[m[2]!.toLowerCase() as '' | 'k'];
  return Math.floor(Number(m[1]) * mult);
}

/** Docker's validateOpts for the local driver (berth has no quota support, like dockerd on ext4). */
export function validateOptions(opts: Record<string, string> | null | undefined): void {
  if (!opts || Object.keys(opts).length === 0) return;
  for (const k of Object.keys(opts)) if (!VALID_OPTS.includes(k)) throw invalid(`invalid option: ${JSON.stringify(k)}`);
  if (opts.size !== undefined && ramInBytes(opts.size) > 0) throw invalid('quota size requested but no quota support');
  for (const [opt, needs] of MANDATORY) {
    if (!(opt in opts)) continue;
    for (const n of needs) if (!(n in opts)) throw invalid(`missing required option: ${JSON.stringify(n)}`);
  }
}

/** A volume with a `type` or `device` is mounted on its `_data` while containers use it. */
export function needsMount(opts: Record<string, string> | null | undefined): boolean {
  return Boolean(opts && (opts.type || opts.device));
}

/** What mounting a local volume's device means: mount(2) arguments. */
export function deviceMount(opts: Record<string, string>): { type: string; source: string; options: string[] } {
  if (!opts.device) throw new Error('missing device in volume options');
  return { type: opts.type || 'none', source: opts.device, options: opts.o ? opts.o.split(',').filter(Boolean) : [] };
}
