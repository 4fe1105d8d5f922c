import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

/** Resolves a binary name against PATH (plus the sbin dirs a daemon expects); absolute paths pass through. */
export function findBinary(name: string): string | undefined {
  if (name.startsWith('/')) return name;
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
  for (const d of dirs) {
    if (!d) continue;
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

/** A static init for `--init` (bind-mounted into containers, so it must be static). */
export function findInit(): string | undefined {
  for (const p of ['/usr/bin/tini-static', '/usr/bin/catatonit', '/usr/libexec/podman/catatonit']) {
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}
