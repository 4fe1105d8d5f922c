import { checkFilterNames, matchLabels, type Filters } from '../shared/filters.js';
import type { EngineEvent } from './event-types.js';

const NAMES = ['container', 'daemon', 'event', 'image', 'label', 'network', 'node', 'plugin', 'scope', 'service', 'type', 'volume', 'config', 'secret'] as const;

/** Actor filters dockerd matches by ID or name prefix (its fuzzyMatchName), keyed like the event types. */
const ACTOR_KEYS = ['container', 'daemon', 'network', 'volume', 'plugin', 'node', 'service', 'secret', 'config'] as const;

/** Actions an `event` filter may name without their `: <command>` suffix (moby#25798). */
const SUFFIXED = ['health_status', 'exec_create', 'exec_start'];

/**
 * Builds a predicate from `GET /events` filters with dockerd's semantics (daemon/events/filter.go):
 * values of one key are OR-ed, keys are AND-ed; `type`, `scope` and `image` match exactly;
 * `container`, `network`, `volume`, `daemon`... match the actor's ID or name, or a prefix of
 * either; `event` matches exactly, or by prefix when it names an action that carries a suffix;
 * `image` matches an image event's ID or name or a container event's image, with or without
 * the tag. Throws `invalid filter 'x'` for unknown keys.
 */
export function eventMatcher(filters: Filters): (e: EngineEvent) => boolean {
  checkFilterNames(filters, NAMES);
  const values = (key: string): string[] => filters.get(key) ?? [];
  const exact = (key: string, source: string): boolean => values(key).length === 0 || values(key).includes(source);
  const fuzzy = (key: string, source: string): boolean => exact(key, source) || values(key).some((v) => source.startsWith(v));
  const fuzzyEvent = values('event').some((v) => SUFFIXED.includes(v));
  return (e) => {
    if (!(fuzzyEvent ? fuzzy('event', e.Action) : exact('event', e.Action))) return false;
    if (!exact('type', e.Type) || !exact('scope', e.scope)) return false;
    for (const key of ACTOR_KEYS) {
      if (values(key).length > 0 && !fuzzy(key, e.Actor.ID) && !fuzzy(key, e.Actor.Attributes.name ?? '')) return false;
    }
    if (values('image').length > 0) {
      const name = e.Actor.Attributes[e.Type === 'image' ? 'name' : 'image'] ?? '';
      if (![e.Actor.ID, name, stripTag(e.Actor.ID), stripTag(name)].some((s) => exact('image', s))) return false;
    }
    return matchLabels(filters.get('label'), e.Actor.Attributes);
  };
}

/** The familiar repository of an image reference (`docker.io/library/busybox:latest` -> `busybox`); an ID stays as it is. */
export function stripTag(ref: string): string {
  if (ref === '' || /^sha256:/.test(ref) || /[A-Z]/.test(ref)) return ref;
  let name = ref.split('@')[0];
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  if (colon > slash) name = name.slice(0, colon);
  if (name.startsWith('docker.io/')) name = name.slice('docker.io/'.length);
  if (name.startsWith('index.docker.io/')) name = name.slice('index.docker.io/'.length);
  if (name.startsWith('library/') && name.split('/').length === 2) name = name.slice('library/'.length);
  return name;
}
