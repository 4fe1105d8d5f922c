import { invalid } from '../shared/errors.js';

export const API_VERSION = '1.43';
export const MIN_API_VERSION = '1.24';

/** Compares dotted versions numerically: -1, 0, 1. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** True when the request's API version is `>= v` (per-version adapters at the edge use this). */
export const versionAtLeast = (version: string, v: string): boolean => compareVersions(version, v) >= 0;

/**
 * Splits `/v1.43/containers/json` into version and path; unprefixed = latest.
 * Throws Docker's 400 messages for versions outside [1.24, 1.43].
 */
export function splitVersion(pathname: string): { version: string; path: string } {
  const m = /^\/v([0-9.]+)(\/.*)?$/.exec(pathname);
  if (!m) return { version: API_VERSION, path: pathname };
  const version = m[1];
  const path = m[2] ?? '/';
  if (version === API_VERSION) return { version, path };
  if (compareVersions(version, MIN_API_VERSION) < 0) {
    throw invalid(`client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
  }
  if (compareVersions(version, API_VERSION) > 0) {
    throw invalid(`client version ${version} is too new. Maximum supported API version is ${API_VERSION}`);
  }
  return { version, path };
}
