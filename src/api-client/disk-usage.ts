import type { ContainerSummary, ImageSummary } from '../api/types.js';
import type { VolumeSummary } from './volumes.js';
import { encodeFilters } from './system.js';
import type { Transport } from './transport.js';

/** One build cache record of GET /system/df. */
export interface BuildCacheRecord {
  ID: string;
  /** Deprecated since API 1.42 but what docker's CLI reads (its `Parents` field never decodes). */
  Parent?: string;
  Parents?: string[] | null;
  Type: string;
  Description: string;
  InUse: boolean;
  Shared: boolean;
  Size: number;
  CreatedAt: string;
  LastUsedAt?: string | null;
  UsageCount: number;
}

/** GET /system/df reply. */
export interface DiskUsage {
  LayersSize?: number;
  Images?: ImageSummary[] | null;
  Containers?: ContainerSummary[] | null;
  Volumes?: VolumeSummary[] | null;
  BuildCache?: BuildCacheRecord[] | null;
}

/** POST /build/prune reply. */
export interface BuildCachePruneResult {
  CachesDeleted?: string[] | null;
  SpaceReclaimed: number;
}

/** GET /system/df */
export async function diskUsage(t: Transport): Promise<DiskUsage> {
  return t.json('/system/df');
}

/** POST /build/prune (`filters` is always sent, empty when there are none, as docker's client does). */
export async function buildCachePrune(t: Transport, opts: { all?: boolean; filters?: Record<string, string[]>; keepStorage?: number } = {}): Promise<BuildCachePruneResult> {
  return t.json('/build/prune', { method: 'POST', query: { all: opts.all ? '1' : undefined, 'keep-storage': opts.keepStorage, filters: encodeFilters(opts.filters) ?? '' } });
}
