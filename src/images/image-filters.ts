import { checkFilterNames, matchLabels, type Filters } from '../shared/filters.js';
import { invalid } from '../shared/errors.js';
import type { ImageRecord } from './image-index.js';
import { createdUnix, type ImageConfigJSON } from './image-config.js';
import { familiarName, parseReference, familiarString } from './reference.js';

export const LIST_FILTERS = ['dangling', 'label', 'label!', 'reference', 'before', 'since', 'until'] as const;
export const PRUNE_FILTERS = ['dangling', 'label', 'label!', 'until'] as const;

/** Go's path.Match as a RegExp (`*`, `?` never cross `/`; `[...]` classes). */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) throw invalid('syntax error in pattern');
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^')) cls = '^' + cls.slice(1).replace(/\\/g, '\\\\');
      else cls = cls.replace(/\\/g, '\\\\');
      re += `[${cls}]`;
      i = end;
    } else if (c === '\\' && i + 1 < pattern.length) {
      re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** reference.FamiliarMatch: pattern against the familiar name, then the familiar name:tag. */
export function familiarMatch(pattern: string, full: string): boolean {
  const ref = parseReference(full);
  const re = globToRegExp(pattern);
  return re.test(familiarName(ref)) || re.test(familiarString(ref));
}

/** Parses `dangling=true|false`; undefined when absent. */
export function danglingFilter(filters: Filters): boolean | undefined {
  const v = filters.get('dangling');
  if (!v || v.length === 0) return undefined;
  const vals = new Set(v.map((x) => x.toLowerCase()));
  for (const x of vals) if (!['true', 'false', '1', '0'].includes(x)) throw invalid(`Invalid filter 'dangling=${x}'`);
  return vals.has('true') || vals.has('1');
}

/** `until` (Unix seconds, RFC3339, or a Go duration like `24h`) -> Unix seconds. */
export function untilSeconds(value: string, now = Date.now()): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const t = Date.parse(value);
  if (!Number.isNaN(t)) return t / 1000;
  const m = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)$/.exec(value);
  if (m) {
    const mult: Record<string, number> = { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
    return now / 1000 - Number(m[1]) * mult[m[2]!]!;
  }
  throw invalid(`failed to parse value as time or duration: "${value}"`);
}

export interface ImageFilterCtx {
  configOf: (rec: ImageRecord) => ImageConfigJSON;
  /** Created time of the image named by a before/since value (throws not-found). */
  createdOf: (ref: string) => number;
}

/**
 * Applies label/label!/before/since/until predicates (not dangling/reference, which
 * also shape RepoTags and are handled by the caller).
 */
export function matchesCommon(rec: ImageRecord, filters: Filters, ctx: ImageFilterCtx): boolean {
  const cfg = ctx.configOf(rec);
  const created = createdUnix(cfg.created);
  const labels = cfg.config?.Labels ?? {};
  if (!matchLabels(filters.get('label'), labels)) return false;
  const notLabels = filters.get('label!');
  if (notLabels && notLabels.length && notLabels.some((l) => matchLabels([l], labels))) return false;
  for (const b of filters.get('before') ?? []) if (!(created < ctx.createdOf(b))) return false;
  for (const s of filters.get('since') ?? []) if (!(created > ctx.createdOf(s))) return false;
  for (const u of filters.get('until') ?? []) if (!(created < untilSeconds(u))) return false;
  return true;
}

export function checkListFilters(filters: Filters): void {
  checkFilterNames(filters, LIST_FILTERS);
}

export function checkPruneFilters(filters: Filters): void {
  checkFilterNames(filters, PRUNE_FILTERS);
}
