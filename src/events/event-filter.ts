import { checkFilterNames, matchLabels, type Filters } from '../shared/filters.js';
import type { EngineEvent } from './event-types.js';

const NAMES = ['container', 'daemon', 'event', 'image', 'label', 'network', 'node', 'plugin', 'scope', 'service', 'type', 'volume', 'config', 'secret'] as const;

/**
 * Builds a predicate from `GET /events` filters (Docker semantics: values of one key are
 * OR-ed, keys are AND-ed). Throws `invalid filter 'x'` for unknown keys.
 */
export function eventMatcher(filters: Filters): (e: EngineEvent) => boolean {
  checkFilterNames(filters, NAMES);
  const any = (key: string, candidates: (string | undefined)[]): boolean => {
    const want = filters.get(key);
    if (!want || want.length === 0) return true;
    return want.some((w) => candidates.some((c) => c !== undefined && c !== '' && (c === w || (w.length >= 1 && /^[0-9a-f]+$/.test(w) && c.startsWith(w)))));
  };
  const actorFor = (e: EngineEvent, type: string, key: string): boolean =>
    !filters.has(key) || (e.Type === type && any(key, [e.Actor.ID, e.Actor.Attributes.name]));
  return (e) => {
    const action = e.Action.split(':')[0];
    if (!any('type', [e.Type])) return false;
    if (!any('event', [e.Action, action])) return false;
    if (!any('scope', [e.scope])) return false;
    if (!matchLabels(filters.get('label'), e.Actor.Attributes)) return false;
    if (!actorFor(e, 'container', 'container')) return false;
    if (!actorFor(e, 'network', 'network')) return false;
    if (!actorFor(e, 'volume', 'volume')) return false;
    if (!actorFor(e, 'daemon', 'daemon')) return false;
    if (filters.has('image')) {
      const img = e.Type === 'image' ? [e.Actor.ID, e.Actor.Attributes.name] : [e.Actor.Attributes.image];
      if (!any('image', img.flatMap((x) => (x ? [x, x.replace(/:[^:/]+$/, '')] : [])))) return false;
    }
    return true;
  };
}
