import type {
  ContainerCreateRequest,
  ContainerCreateResponse,
  ContainerInspect,
  ContainerSummary,
  ContainerWaitResponse,
  PortBinding,
} from '../api/types.js';
import { encodeFilters } from './system.js';
import { type Transport, compareVersions } from './transport.js';

const p = (id: string): string => `/containers/${encodeURIComponent(id)}`;

export interface ContainerCreateOptions {
  name?: string;
  platform?: string;
}

/**
 * POST /containers/create, with Docker's client-side version rules: a per-endpoint MAC
 * address needs API 1.44 (refused below it, as the docker CLI does), and from 1.44 on the
 * deprecated container-wide `MacAddress` is not sent.
 */
export async function containerCreate(t: Transport, body: ContainerCreateRequest, opts: ContainerCreateOptions = {}): Promise<ContainerCreateResponse> {
  // the version requests go out with is at most this one (no ping needed to know it is below 1.44)
  const v = t.versionBound();
  const endpoints = Object.values(body.NetworkingConfig?.EndpointsConfig ?? {});
  let sent = body;
  if (compareVersions(v, '1.44') < 0) {
    if (endpoints.some((e) => e?.MacAddress)) throw new Error(`"specify mac-address per network" requires API version 1.44, but the Docker daemon API version is ${await t.apiVersion()}`);
  } else if (body.MacAddress !== undefined) {
    sent = { ...body };
    delete sent.MacAddress;
  }
  return t.json('/containers/create', { method: 'POST', body: sent, query: { name: opts.name || undefined, platform: opts.platform || undefined } });
}

/** POST /containers/{id}/start */
export async function containerStart(t: Transport, id: string, opts: { detachKeys?: string } = {}): Promise<void> {
  await t.call(`${p(id)}/start`, { method: 'POST', query: { detachKeys: opts.detachKeys } });
}

export interface StopOptions {
  /** Seconds to wait before killing. */
  timeout?: number;
  signal?: string;
}

/** POST /containers/{id}/stop */
export async function containerStop(t: Transport, id: string, opts: StopOptions = {}): Promise<void> {
  await t.call(`${p(id)}/stop`, { method: 'POST', query: { t: opts.timeout, signal: opts.signal } });
}

/** POST /containers/{id}/restart */
export async function containerRestart(t: Transport, id: string, opts: StopOptions = {}): Promise<void> {
  await t.call(`${p(id)}/restart`, { method: 'POST', query: { t: opts.timeout, signal: opts.signal } });
}

/** POST /containers/{id}/kill */
export async function containerKill(t: Transport, id: string, signal?: string): Promise<void> {
  await t.call(`${p(id)}/kill`, { method: 'POST', query: { signal } });
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/** POST /containers/{id}/wait: resolves when the condition is met. */
export async function containerWait(t: Transport, id: string, condition?: WaitCondition): Promise<ContainerWaitResponse> {
  return t.json(`${p(id)}/wait`, { method: 'POST', query: { condition } });
}

export interface RemoveOptions {
  force?: boolean;
  volumes?: boolean;
  link?: boolean;
}

/** DELETE /containers/{id} */
export async function containerRemove(t: Transport, id: string, opts: RemoveOptions = {}): Promise<void> {
  await t.call(p(id), { method: 'DELETE', query: { force: opts.force || undefined, v: opts.volumes || undefined, link: opts.link || undefined } });
}

/** POST /containers/{id}/rename */
export async function containerRename(t: Transport, id: string, name: string): Promise<void> {
  await t.call(`${p(id)}/rename`, { method: 'POST', query: { name } });
}

export interface ListOptions {
  all?: boolean;
  limit?: number;
  size?: boolean;
  filters?: Record<string, string[]>;
}

/** GET /containers/json */
export async function containerList(t: Transport, opts: ListOptions = {}): Promise<ContainerSummary[]> {
  return t.json('/containers/json', {
    query: {
      all: opts.all || undefined,
      limit: opts.limit && opts.limit > 0 ? opts.limit : undefined,
      size: opts.size || undefined,
      filters: encodeFilters(opts.filters),
    },
  });
}

/** GET /containers/{id}/json */
export async function containerInspect(t: Transport, id: string, opts: { size?: boolean } = {}): Promise<ContainerInspect> {
  return t.json(`${p(id)}/json`, { query: { size: opts.size || undefined } });
}

/** GET /containers/{id}/json, its `NetworkSettings.Ports` (what `docker port` reads). */
export async function containerPorts(t: Transport, id: string): Promise<Record<string, PortBinding[] | null>> {
  const c = await containerInspect(t, id);
  return c.NetworkSettings?.Ports ?? {};
}

/** POST /containers/{id}/resize */
export async function containerResize(t: Transport, id: string, height: number, width: number): Promise<void> {
  await t.call(`${p(id)}/resize`, { method: 'POST', query: { h: height, w: width } });
}

/** POST /containers/{id}/pause */
export async function containerPause(t: Transport, id: string): Promise<void> {
  await t.call(`${p(id)}/pause`, { method: 'POST' });
}

/** POST /containers/{id}/unpause */
export async function containerUnpause(t: Transport, id: string): Promise<void> {
  await t.call(`${p(id)}/unpause`, { method: 'POST' });
}

export interface PruneResult {
  ContainersDeleted?: string[] | null;
  ImagesDeleted?: ({ Untagged?: string; Deleted?: string })[] | null;
  SpaceReclaimed: number;
}

/** POST /containers/prune */
export async function containerPrune(t: Transport, filters?: Record<string, string[]>): Promise<PruneResult> {
  return t.json('/containers/prune', { method: 'POST', query: { filters: encodeFilters(filters) } });
}
