import { invalid } from '../shared/errors.js';
import { checkFilterNames, matchLabels, type Filters } from '../shared/filters.js';

/** What a filter looks at: the volume and whether a container uses it. */
export interface FilterSubject {
  name: string;
  driver: string;
  labels: Record<string, string> | null;
  inUse: boolean;
}

/** Label marking volumes created without a name (`-v /path`, an image's VOLUME). */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

/** Docker's filters.Match: equal, or the value taken as a regular expression matches. */
function matchRegexp(values: string[] | undefined, s: string): boolean {
  if (!values?.length) return true;
  return values.some((v) => {
    if (v === s) return true;
    try {
      return new RegExp(v).test(s);
    } catch {
      return false;
    }
  });
}

/** Go's strconv.ParseBool, with Docker's filter error. */
function parseBool(key: string, v: string): boolean {
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
  throw invalid(`invalid filter '${key}=${v}'`);
}

function labelsMatch(filters: Filters, labels: Record<string, string> | null): boolean {
  if (!matchLabels(filters.get('label'), labels)) return false;
  const not = filters.get('label!');
  return !(not?.length && matchLabels(not, labels));
}

/**
 * `GET /volumes` filters (dangling, driver, label, name); returns the predicate.
 *
 * @example volumeListFilter(new Map([['dangling', ['true']]]))({ name: 'a', driver: 'local', labels: null, inUse: false }) // true
 */
export function volumeListFilter(filters: Filters): (v: FilterSubject) => boolean {
  checkFilterNames(filters, ['dangling', 'driver', 'label', 'name']);
  const dangling = filters.get('dangling')?.map((v) => parseBool('dangling', v));
  return (v) => {
    const drivers = filters.get('driver');
    if (drivers?.length && !drivers.includes(v.driver)) return false;
    if (!matchRegexp(filters.get('name'), v.name)) return false;
    if (!labelsMatch(filters, v.labels)) return false;
    if (dangling?.length && !dangling.every((d) => d === !v.inUse)) return false;
    return true;
  };
}

/**
 * `POST /volumes/prune` filters (label, label!, all). Without `all=true` only anonymous
 * volumes are candidates (API 1.42; the HTTP edge adds `all` for older clients).
 */
export function volumePruneFilter(filters: Filters): (v: FilterSubject) => boolean {
  checkFilterNames(filters, ['label', 'label!', 'all']);
  const all = filters.get('all') ?? [];
  if (all.length > 1) throw invalid(`invalid filter 'all=${all.join(',')}': only one value is expected`);
  let everything = false;
  if (all.length === 1) {
    try {
      everything = parseBool('all', all[0]!);
    } catch {
      throw invalid(`invalid filter 'all': strconv.ParseBool: parsing ${JSON.stringify(all[0])}: invalid syntax`);
    }
  }
  return (v) => {
    if (v.inUse || v.driver !== 'local') return false;
    if (!everything && !(v.labels && ANONYMOUS_LABEL in v.labels)) return false;
    return labelsMatch(filters, v.labels);
  };
}
