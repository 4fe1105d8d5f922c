export { EventBus } from './event-bus.js';
export { eventMatcher } from './event-filter.js';
export { EventStore, DEFAULT_EVENTS_MAX_SIZE, EVENTS_SCHEMA } from './event-store.js';
export type { EventLog, StoredEvent } from './event-store.js';
export type { EngineEvent, EventInput, EventListener } from './event-types.js';
