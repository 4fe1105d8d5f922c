import type { Readable } from 'node:stream';
import type { Transport } from './transport.js';
import { jsonMessages } from './json-stream.js';

/** GET /version reply (the fields the CLI prints). */
export interface VersionResult {
  Platform?: { Name: string };
  Components?: { Name: string; Version: string; Details?: Record<string, string> }[];
  Version: string;
  ApiVersion: string;
  MinAPIVersion?: string;
  GitCommit?: string;
  GoVersion?: string;
  Os: string;
  Arch: string;
  KernelVersion?: string;
  BuildTime?: string;
  Experimental?: boolean;
}

/** GET /info reply; a loose record since the CLI prints a subset. */
export type InfoResult = Record<string, unknown> & {
  ID?: string;
  Containers?: number;
  ContainersRunning?: number;
  ContainersPaused?: number;
  ContainersStopped?: number;
  Images?: number;
  ServerVersion?: string;
  Driver?: string;
  Name?: string;
};

/** One event from GET /events. */
export interface EventMessage {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope?: string;
  time: number;
  timeNano: number;
  status?: string;
  id?: string;
  from?: string;
}

export interface EventsOptions {
  since?: string;
  until?: string;
  filters?: Record<string, string[]>;
  signal?: AbortSignal;
}

/** Filters as the wire wants them (`{"label":["a=b"]}`), or undefined when empty. */
export function encodeFilters(f: Record<string, string[]> | undefined): string | undefined {
  if (!f || Object.keys(f).length === 0) return undefined;
  return JSON.stringify(f);
}

/** GET /_ping: returns the negotiated API version. */
export async function ping(t: Transport): Promise<string> {
  return t.apiVersion();
}

/** GET /version */
export async function version(t: Transport): Promise<VersionResult> {
  return t.json<VersionResult>('/version');
}

/** GET /info */
export async function info(t: Transport): Promise<InfoResult> {
  return t.json<InfoResult>('/info');
}

/** GET /events: an async stream of events (ends at `until`, or when aborted). */
export async function events(t: Transport, opts: EventsOptions = {}): Promise<AsyncGenerator<EventMessage>> {
  const res: Readable = await t.request('/events', {
    query: { since: opts.since, until: opts.until, filters: encodeFilters(opts.filters) },
    signal: opts.signal,
  });
  return jsonMessages<EventMessage>(res);
}
