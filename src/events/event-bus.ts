import type { EngineEvent, EventInput, EventListener } from './event-types.js';
import type { EventLog } from './event-store.js';

/** How many past events are kept in memory for `since` replays without a log (dockerd keeps 256). */
const HISTORY = 256;

/**
 * In-process event bus. Services publish container/image/volume/network events; `GET /events`
 * replays the past (`since`) and then follows live events until `until` or disconnect.
 * With an EventLog (the daemon's on-disk EventStore) every event is appended as it is
 * published and replays read the log, so they reach back across daemon restarts; without
 * one the last 256 events are kept in memory, as dockerd does.
 *
 * @example
 *   const bus = new EventBus(Date.now, EventStore.open(`${dataRoot}/events`));
 *   const off = await bus.stream({ since: 0 }, (e) => console.error(e.Action));
 *   bus.publish({ Type: 'container', Action: 'start', Actor: { ID: id, Attributes: { name: 'web' } } });
 *   off();
 */
export class EventBus {
  private readonly history: EngineEvent[] = [];
  private readonly listeners = new Set<EventListener>();
  private readonly seqs = new WeakMap<EngineEvent, number>();
  private seq: number;
  private lastTime = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly log?: EventLog,
    private readonly onLogError: (err: unknown) => void = () => {},
  ) {
    this.seq = log?.lastSeq ?? 0;
  }

  /** Stamps the event with time/timeNano/scope (+ legacy fields), stores and delivers it. */
  publish(input: EventInput): EngineEvent {
    // never earlier than the previous event, so time order = publish order for replays
    const nano = Math.max(this.now() * 1e6, this.lastTime);
    this.lastTime = nano;
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
    const seq = ++this.seq;
    this.seqs.set(event, seq);
    if (this.log) {
      try {
        this.log.append({ seq, event });
      } catch (err) {
        this.onLogError(err);
      }
    }
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

  /** Past events with `since <= time <= until` (unix seconds, fractional allowed), oldest first. */
  async replay(since?: number, until?: number): Promise<EngineEvent[]> {
    return (await this.past(since, until)).events;
  }

  /**
   * Past events (`since`..`until`) then live ones, with nothing lost or repeated in between;
   * resolves, once the past has been delivered, to the unsubscribe function.
   */
  async stream(opts: { since?: number; until?: number }, listener: EventListener): Promise<() => void> {
    if (opts.since === undefined && opts.until === undefined) return this.subscribe(listener);
    const pending: EngineEvent[] = [];
    let live = false;
    const off = this.subscribe((e) => (live ? listener(e) : pending.push(e)));
    try {
      const { events, lastSeq } = await this.past(opts.since, opts.until);
      for (const e of events) listener(e);
      for (const e of pending) if ((this.seqs.get(e) ?? Infinity) > lastSeq) listener(e);
    } catch (err) {
      off();
      throw err;
    }
    live = true;
    return off;
  }

  private async past(since?: number, until?: number): Promise<{ events: EngineEvent[]; lastSeq: number }> {
    const lo = since === undefined ? -Infinity : since * 1e9;
    const hi = until === undefined ? Infinity : until * 1e9;
    if (!this.log) return { events: this.history.filter((e) => e.timeNano >= lo && e.timeNano <= hi), lastSeq: this.seq };
    const { events, lastSeq } = await this.log.read(since, until);
    return {
      events: events.map((r) => {
        this.seqs.set(r.event, r.seq);
        return r.event;
      }),
      lastSeq,
    };
  }
}
