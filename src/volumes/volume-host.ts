import { readFileSync } from 'node:fs';
import { mountAll, parseMountOptions, unmount } from '../mount/index.js';

/**
 * The host side effects of the volumes module: mounting a volume's device on its `_data`
 * (through src/mount, the only module that mounts) and reading the mount table.
 * {@link RecordingVolumeHost} stands in for it in unit tests.
 */
export interface VolumeHost {
  /** Mount `source` (type, options) on `target`; throws Docker's `failed to mount local volume: ...`. */
  mount(m: { type: string; source: string; options: string[] }, target: string): void;
  unmount(target: string): void;
  /** Is anything mounted at `dir` or below it? */
  mountedUnder(dir: string): boolean;
}

/** Mount points from /proc/self/mountinfo (octal escapes such as `\040` decoded). */
export function mountPoints(mountinfo = readFileSync('/proc/self/mountinfo', 'utf8')): string[] {
  return mountinfo
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((p): p is string => Boolean(p))
    .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}

/** The real host: src/mount and /proc/self/mountinfo. */
export const realVolumeHost: VolumeHost = {
  mount(m, target) {
    try {
      mountAll([{ type: m.type, source: m.source, options: m.options }], target);
    } catch (err) {
      const { flags } = parseMountOptions(m.options);
      const why = (err as Error).message.replace(/^.*: /, '');
      throw new Error(`failed to mount local volume: mount ${m.source}:${target}, flags: 0x${flags.toString(16)}: ${why.charAt(0).toLowerCase()}${why.slice(1)}`, { cause: err });
    }
  },
  unmount: (target) => unmount(target),
  mountedUnder(dir) {
    return mountPoints().some((p) => p === dir || p.startsWith(`${dir}/`));
  },
};

/** A VolumeHost that records calls (unit tests; no root needed). */
export class RecordingVolumeHost implements VolumeHost {
  readonly calls: string[] = [];
  readonly mounted = new Set<string>();
  failNext?: Error;

  mount(m: { type: string; source: string; options: string[] }, target: string): void {
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = undefined;
      throw e;
    }
    this.calls.push(`mount ${m.type} ${m.source} ${m.options.join(',')} ${target}`);
    this.mounted.add(target);
  }

  unmount(target: string): void {
    this.calls.push(`unmount ${target}`);
    this.mounted.delete(target);
  }

  mountedUnder(dir: string): boolean {
    return [...this.mounted].some((p) => p === dir || p.startsWith(`${dir}/`));
  }
}
