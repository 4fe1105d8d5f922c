import type { Volume } from '../api/types.js';
import { encodeFilters } from './system.js';
import { type Transport, readAll } from './transport.js';

/** Body of POST /volumes/create (the docker CLI's field set, without cluster volumes). */
export interface VolumeCreateRequest {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string>;
  Labels?: Record<string, string>;
}

/** A volume as GET /volumes lists it (UsageData only in system df). */
export type VolumeSummary = Volume & { UsageData?: { Size: number; RefCount: number } | null };

export interface VolumeListResult {
  Volumes: VolumeSummary[] | null;
  Warnings: string[] | null;
}

export interface VolumePruneResult {
  VolumesDeleted: string[] | null;
  SpaceReclaimed: number;
}

const p = (name: string): string => `/volumes/${encodeURIComponent(name)}`;

/** GET /volumes */
export async function volumeList(t: Transport, opts: { filters?: Record<string, string[]> } = {}): Promise<VolumeListResult> {
  return t.json('/volumes', { query: { filters: encodeFilters(opts.filters) } });
}

/** POST /volumes/create */
export async function volumeCreate(t: Transport, req: VolumeCreateRequest): Promise<Volume> {
  return t.json('/volumes/create', { method: 'POST', body: req });
}

/** GET /volumes/{name}, the reply bytes as sent (inspect re-indents them). */
export async function volumeInspectRaw(t: Transport, name: string): Promise<Buffer> {
  // docker's client refuses an empty name before asking (it would list all volumes)
  if (name.trim() === '') throw new Error(`Error: No such volume: ${name}`);
  return readAll(await t.request(p(name)));
}

/** DELETE /volumes/{name}[?force=1] */
export async function volumeRemove(t: Transport, name: string, force = false): Promise<void> {
  await t.call(p(name), { method: 'DELETE', query: { force: force ? '1' : undefined } });
}

/** POST /volumes/prune */
export async function volumePrune(t: Transport, filters?: Record<string, string[]>): Promise<VolumePruneResult> {
  return t.json('/volumes/prune', { method: 'POST', query: { filters: encodeFilters(filters) } });
}
