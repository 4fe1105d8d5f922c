import type { Readable } from 'node:stream';
import type { ImageDeleteItem, ImageHistoryItem, ImageInspect, ImageSummary, JSONMessage } from '../api/types.js';
import type { PruneResult } from './containers.js';
import { jsonMessages } from './json-stream.js';
import { encodeFilters } from './system.js';
import type { Transport } from './transport.js';

const p = (name: string): string => `/images/${encodeURIComponent(name)}`;

export interface ImageListOptions {
  all?: boolean;
  digests?: boolean;
  filters?: Record<string, string[]>;
}

/** GET /images/json */
export async function imageList(t: Transport, opts: ImageListOptions = {}): Promise<ImageSummary[]> {
  return t.json('/images/json', { query: { all: opts.all || undefined, digests: opts.digests || undefined, filters: encodeFilters(opts.filters) } });
}

/** GET /images/{name}/json */
export async function imageInspect(t: Transport, name: string): Promise<ImageInspect> {
  return t.json(`${p(name)}/json`);
}

/** GET /images/{name}/history */
export async function imageHistory(t: Transport, name: string): Promise<ImageHistoryItem[]> {
  return t.json(`${p(name)}/history`);
}

/** POST /images/{name}/tag; `target` is `repo[:tag]`. */
export async function imageTag(t: Transport, source: string, target: string): Promise<void> {
  const { repo, tag } = splitRepoTag(target);
  await t.call(`${p(source)}/tag`, { method: 'POST', query: { repo, tag } });
}

/** DELETE /images/{name} */
export async function imageRemove(t: Transport, name: string, opts: { force?: boolean; noPrune?: boolean } = {}): Promise<ImageDeleteItem[]> {
  return t.json(p(name), { method: 'DELETE', query: { force: opts.force || undefined, noprune: opts.noPrune || undefined } });
}

/** POST /images/load: body is a tar stream; yields the progress messages. */
export async function imageLoad(t: Transport, tar: Readable, opts: { quiet?: boolean } = {}): Promise<AsyncGenerator<JSONMessage>> {
  const res = await t.request('/images/load', { method: 'POST', body: tar, query: { quiet: opts.quiet ? '1' : '0' }, headers: { 'Content-Type': 'application/x-tar' } });
  return jsonMessages(res);
}

/** GET /images/get?names=...: a docker-archive tar stream. */
export async function imageSave(t: Transport, names: string[]): Promise<Readable> {
  return t.request('/images/get', { query: { names } });
}

export interface ImageImportOptions {
  /** `repo[:tag]` to tag the result with. */
  reference?: string;
  message?: string;
  changes?: string[];
  platform?: string;
}

/** POST /images/create?fromSrc=-: imports a rootfs tarball from the body. */
export async function imageImport(t: Transport, source: Readable, opts: ImageImportOptions = {}): Promise<AsyncGenerator<JSONMessage>> {
  const { repo, tag } = opts.reference ? splitRepoTag(opts.reference) : { repo: undefined, tag: undefined };
  const res = await t.request('/images/create', {
    method: 'POST',
    body: source,
    query: { fromSrc: '-', repo, tag, message: opts.message, changes: opts.changes, platform: opts.platform },
  });
  return jsonMessages(res);
}

/** POST /images/create?fromImage=: pulls; yields the progress messages. */
export async function imagePull(t: Transport, reference: string, opts: { platform?: string; registryAuth?: string } = {}): Promise<AsyncGenerator<JSONMessage>> {
  const { repo, tag } = splitRepoTag(reference);
  const res = await t.request('/images/create', {
    method: 'POST',
    query: { fromImage: repo, tag: tag ?? 'latest', platform: opts.platform },
    headers: opts.registryAuth ? { 'X-Registry-Auth': opts.registryAuth } : {},
  });
  return jsonMessages(res);
}

/** POST /images/prune */
export async function imagePrune(t: Transport, filters?: Record<string, string[]>): Promise<PruneResult> {
  return t.json('/images/prune', { method: 'POST', query: { filters: encodeFilters(filters) } });
}

/**
 * Splits `repo[:tag][@digest]` (the tag colon is after the last slash).
 *
 * @example splitRepoTag('localhost:5000/a:1') // { repo: 'localhost:5000/a', tag: '1' }
 */
export function splitRepoTag(ref: string): { repo: string; tag?: string } {
  const at = ref.indexOf('@');
  if (at >= 0) return { repo: ref.slice(0, at), tag: ref.slice(at + 1) };
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repo: ref };
}
