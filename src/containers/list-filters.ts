import type { ContainerStatus } from '../api/types.js';
import { invalid } from '../shared/errors.js';
import { checkFilterNames, matchLabels, type Filters } from '../shared/filters.js';
import type { ContainerRecord } from './container-record.js';
import { recordMounts } from './volume-mounts.js';
import { HEALTH_FILTER_VALUES, healthFilterValue } from './health/health-state.js';
import { compareStrings } from '../shared/compare.js';

const ALLOWED = ['status', 'name', 'label', 'id', 'ancestor', 'exited', 'before', 'since', 'network', 'volume', 'health', 'isolation', 'publish', 'expose', 'is-task'] as const;
const STATUSES: ContainerStatus[] = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];

export interface ListOptions {
  all?: boolean;
  limit?: number;
  filters?: Filters;
}

/** Resolves a container reference (for before/since) to its record, throwing `No such container`. */
export type RecordLookup = (ref: string) => ContainerRecord;

const withTag = (ref: string): string => {
  const lastSlash = ref.lastIndexOf('/');
  return ref.includes('@') || ref.slice(lastSlash + 1).includes(':') ? ref : `${ref}:latest`;
};

/** `ancestor=` matches the image by name (`busybox` = `busybox:latest`), full id or id prefix. */
export function matchesAncestor(rec: ContainerRecord, value: string): boolean {
  const hex = rec.image.id.replace(/^sha256:/, '');
  const v = value.replace(/^sha256:/, '');
  if (/^[a-f0-9]{4,64}$/.test(v) && hex.startsWith(v)) return true;
  return withTag(rec.image.name) === withTag(value) || withTag(rec.config.Image ?? '') === withTag(value);
}

function regexMatch(patterns: string[] | undefined, value: string): boolean {
  if (!patterns || patterns.length === 0) return true;
  return patterns.some((p) => {
    try {
      return new RegExp(p).test(value);
    } catch {
      return value.includes(p);
    }
  });
}

/**
 * Docker's `GET /containers/json` selection: newest first; without `all`, only running
 * (a `status` filter implies all); `limit` counts the newest N of any status.
 */
export function selectContainers(records: ContainerRecord[], opts: ListOptions, lookup: RecordLookup): ContainerRecord[] {
  const f = opts.filters ?? new Map<string, string[]>();
  checkFilterNames(f, ALLOWED);
  const statuses = f.get('status') ?? [];
  for (const s of statuses) if (!STATUSES.includes(s as ContainerStatus)) throw invalid(`invalid filter 'status=${s}'`);
  const exited = (f.get('exited') ?? []).map((v) => {
    const n = Number(v);
    if (!Number.isInteger(n)) throw invalid(`invalid filter 'exited=${v}'`);
    return n;
  });
  const health = f.get('health') ?? [];
  for (const h of health) if (!(HEALTH_FILTER_VALUES as readonly string[]).includes(h)) throw invalid(`Unrecognised filter value for health: ${h}`);
  const before = f.get('before')?.map(lookup) ?? [];
  const since = f.get('since')?.map(lookup) ?? [];
  const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
  const all = opts.all || statuses.length > 0 || limit > 0;

  const sorted = [...records].sort((a, b) => compareStrings(b.created, a.created) || compareStrings(a.id, b.id));
  const out: ContainerRecord[] = [];
  for (const r of sorted) {
    const st = r.state.status;
    if (!all && st !== 'running' && st !== 'paused' && st !== 'restarting') continue;
    if (statuses.length > 0 && !statuses.includes(st)) continue;
    if (exited.length > 0 && (st !== 'exited' || !exited.includes(r.state.exitCode))) continue;
    // dockerd matches the name with and without its leading slash (`name=^web$`)
    if (!regexMatch(f.get('name'), r.name) && !regexMatch(f.get('name'), r.name.slice(1))) continue;
    if (!regexMatch(f.get('id'), r.id)) continue;
    if (!matchLabels(f.get('label'), r.config.Labels)) continue;
    if (health.length > 0 && !health.includes(healthFilterValue(r.state.health))) continue;
    const anc = f.get('ancestor');
    if (anc && anc.length > 0 && !anc.some((a) => matchesAncestor(r, a))) continue;
    if (before.some((b) => !(r.created < b.created))) continue;
    if (since.some((s) => !(r.created > s.created))) continue;
    const nets = f.get('network');
    if (nets && nets.length > 0) {
      const joined = new Set([r.hostConfig.NetworkMode ?? 'default', ...Object.keys(r.networking ?? {})]);
      if (joined.has('default')) joined.add('bridge');
      if (!nets.some((n) => joined.has(n))) continue;
    }
    const vols = f.get('volume');
    if (vols?.length && !vols.some((v) => recordMounts(r).some((m) => m.destination === v || (m.name || m.source) === v))) continue;
    out.push(r);
    if (limit > 0 && out.length >= limit) break;
  }
  return out;
}
