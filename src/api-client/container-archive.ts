import type { Readable } from 'node:stream';
import { ApiError } from './api-error.js';
import { readAll, type Transport } from './transport.js';

/** Decoded `X-Docker-Container-Path-Stat`. */
export interface ContainerPathStat {
  name: string;
  size: number;
  /** Go os.FileMode bits (dir = 1<<31, symlink = 1<<27). */
  mode: number;
  mtime: string;
  linkTarget: string;
}

/** One `docker diff` row: Kind 0 changed, 1 added, 2 deleted. */
export interface ContainerChangeRow {
  Path: string;
  Kind: number;
}

const p = (id: string): string => `/containers/${encodeURIComponent(id)}`;

function decodeStat(h: string | string[] | undefined): ContainerPathStat {
  const raw = Array.isArray(h) ? h[0] : h;
  if (!raw) throw new Error('unable to get resource stat from response: missing X-Docker-Container-Path-Stat header');
  return JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as ContainerPathStat;
}

/** `HEAD /containers/{id}/archive`: a 404 (no body on HEAD) becomes Docker's "Could not find the file" error. */
export async function containerStatPath(t: Transport, id: string, path: string): Promise<ContainerPathStat> {
  try {
    const res = await t.request(`${p(id)}/archive`, { method: 'HEAD', query: { path } });
    await readAll(res);
    return decodeStat(res.headers['x-docker-container-path-stat']);
  } catch (err) {
    if (ApiError.isNotFound(err) && /^(Not Found|status 404)?$/.test(err.message)) {
      // HEAD carries no error body: a missing container says so on its inspect
      await t.call(`${p(id)}/json`);
      throw new ApiError(404, `Could not find the file ${path} in container ${id}`);
    }
    throw err;
  }
}

/** `GET /containers/{id}/archive`: the path's stat and its tar (unread). */
export async function containerArchiveGet(t: Transport, id: string, path: string): Promise<{ stat: ContainerPathStat; tar: Readable }> {
  const res = await t.request(`${p(id)}/archive`, { query: { path } });
  return { stat: decodeStat(res.headers['x-docker-container-path-stat']), tar: res };
}

/** `PUT /containers/{id}/archive`: extract `tar` into the directory `path`. */
export async function containerArchivePut(
  t: Transport,
  id: string,
  path: string,
  tar: Readable,
  opts: { noOverwriteDirNonDir?: boolean; copyUIDGID?: boolean } = {},
): Promise<void> {
  await t.call(`${p(id)}/archive`, {
    method: 'PUT',
    body: tar,
    query: { path, noOverwriteDirNonDir: opts.noOverwriteDirNonDir ?? true, copyUIDGID: opts.copyUIDGID || undefined },
  });
}

/** `GET /containers/{id}/changes` (`null` from the daemon = no changes). */
export async function containerChanges(t: Transport, id: string): Promise<ContainerChangeRow[]> {
  return (await t.json<ContainerChangeRow[] | null>(`${p(id)}/changes`)) ?? [];
}
