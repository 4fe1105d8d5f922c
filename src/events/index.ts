export { EventBus } from './event-bus.js';
export { eventMatcher } from './event-filter.js';
export type { EngineEvent, EventInput, EventListener } from './event-types.js';
