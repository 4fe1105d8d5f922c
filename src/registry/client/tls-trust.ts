import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';

/** Debian's system CA bundle (update-ca-certificates). */
export const SYSTEM_CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
/** Per-registry CA directories, as dockerd reads them: `<dir>/<host[:port]>/*.crt`. */
export const CERTS_DIRS = ['/etc/berth/certs.d', '/etc/docker/certs.d'];

let system: string[] | undefined;
const perHost = new Map<string, string[]>();

function readCa(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Trusted CAs for a registry host: node's bundled roots, the system bundle, and any
 * `certs.d/<host>/*.crt`. Cached for the process.
 */
export function trustedCAs(host: string, dirs: readonly string[] = CERTS_DIRS): string[] {
  let cas = perHost.get(host);
  if (cas) return cas;
  system ??= [...rootCertificates, ...[readCa(SYSTEM_CA_BUNDLE)].filter((x): x is string => !!x)];
  const extra: string[] = [];
  for (const d of dirs) {
    let names: string[] = [];
    try {
      names = readdirSync(join(d, host));
    } catch {
      continue;
    }
    for (const n of names) if (n.endsWith('.crt')) extra.push(...[readCa(join(d, host, n))].filter((x): x is string => !!x));
  }
  cas = extra.length ? [...system, ...extra] : system;
  perHost.set(host, cas);
  return cas;
}
