/** What a service publishes: Docker's event type, action and actor. */
export interface EventInput {
  Type: 'container' | 'image' | 'volume' | 'network' | 'daemon' | 'plugin' | 'service' | 'node' | 'secret' | 'config';
  /** `create`, `start`, `die`, `destroy`, `pull`, `tag`, `untag`, `delete`, `load`, `import`... */
  Action: string;
  Actor: { ID: string; Attributes?: Record<string, string> };
}

/** One event as served by `GET /events` (Docker's events.Message, with the legacy fields). */
export interface EngineEvent {
  status?: string;
  id?: string;
  from?: string;
  Type: EventInput['Type'];
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  /** unix seconds */
  time: number;
  /** unix nanoseconds, millisecond precision (a JS number cannot hold int64 nanoseconds exactly) */
  timeNano: number;
}

/** Called for every published event. */
export type EventListener = (event: EngineEvent) => void;
