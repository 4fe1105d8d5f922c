import type { EngineEvent, EventInput, EventListener } from './event-types.js';

/** How many past events are kept for `since` replays (dockerd keeps 256). */
const HISTORY = 256;

/**
 * In-process event bus. Services publish container/image events; `GET /events`
 * replays history (`since`) and then follows live events until `until` or disconnect.
 *
 * @example
 *   const bus = new EventBus();
 *   const off = bus.subscribe((e) => console.error(e.Action));
 *   bus.publish({ Type: 'container', Action: 'start', Actor: { ID: id, Attributes: { name: 'web' } } });
 *   off();
 */
export class EventBus {
  private readonly history: EngineEvent[] = [];
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Stamps the event with time/timeNano/scope (+ legacy fields) and delivers it. */
  publish(input: EventInput): EngineEvent {
    const nano = this.now() * 1e6;
    const Attributes = { ...(input.Actor.Attributes ?? {}) };
    const legacy: Pick<EngineEvent, 'status' | 'id' | 'from'> = {};
    if (input.Type === 'container' || input.Type === 'image') {
      legacy.status = input.Action;
      legacy.id = input.Actor.ID;
      if (input.Type === 'container' && Attributes.image) legacy.from = Attributes.image;
    }
    const event: EngineEvent = {
      ...legacy,
      Type: input.Type,
      Action: input.Action,
      Actor: { ID: input.Actor.ID, Attributes },
      scope: 'local',
      time: Math.floor(nano / 1e9),
      timeNano: nano,
    };
    this.history.push(event);
    if (this.history.length > HISTORY) this.history.shift();
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // a faulty listener must not break publishers
      }
    }
    return event;
  }

  /** Listen to live events; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Past events with `since <= time <= until` (unix seconds, fractional allowed). */
  replay(since?: number, until?: number): EngineEvent[] {
    return this.history.filter((e) => (since === undefined || e.timeNano >= since * 1e9) && (until === undefined || e.timeNano <= until * 1e9));
  }
}
