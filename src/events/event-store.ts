import { closeSync, existsSync, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EngineEvent } from './event-types.js';

/**
 * On-disk layout of the event log (schema 1), drawn here once:
 *
 *   <data-root>/events/events.log     the current file
 *   <data-root>/events/events.log.1   the previous one (events.log is renamed over it when it
 *                                     would pass half the bound), so both stay within maxBytes
 *
 * Each file is JSON lines: a header `{"berthEvents":1}`, then one `{"seq":n,"event":{...}}`
 * per event, seq increasing across files and daemon runs. An append is one write(2) on an
 * O_APPEND descriptor made while the event is published, so a kill -9 of berthd loses
 * nothing; the file is synced to disk within a second after appends (and before a rotation),
 * and a line torn by a host crash is cut off when the log is opened and skipped by readers.
 */
export const EVENTS_SCHEMA = 1;
const HEADER = `${JSON.stringify({ berthEvents: EVENTS_SCHEMA })}\n`;
const CURRENT = 'events.log';
const PREVIOUS = 'events.log.1';

/** Default bound of the log (both files), in bytes: the daemon config's `events-max-size`. */
export const DEFAULT_EVENTS_MAX_SIZE = 8 * 1024 * 1024;

/** One stored event with its sequence number. */
export interface StoredEvent {
  seq: number;
  event: EngineEvent;
}

/**
 * What the event bus needs from a persistent log: append in publish order, read back a time
 * window. `lastSeq` is the highest sequence number stored (0 for an empty log).
 */
export interface EventLog {
  readonly lastSeq: number;
  append(record: StoredEvent): void;
  /** Events with since <= time <= until (unix seconds), oldest first; `lastSeq` = the newest stored when read. */
  read(since?: number, until?: number): Promise<{ events: StoredEvent[]; lastSeq: number }>;
}

/**
 * The event log of one daemon (see the layout above).
 *
 * @example
 *   const log = EventStore.open('/var/lib/berth/events', { maxBytes: 8 << 20 });
 *   const bus = new EventBus(Date.now, log);
 */
export class EventStore implements EventLog {
  private fd: number;
  private size: number;
  private seq: number;
  /** Bumped at every rotation, so a read racing one can start again. */
  private generation = 0;
  private syncTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
  ) {
    mkdirSync(dir, { recursive: true });
    const previous = lastSeqOf(readLines(join(dir, PREVIOUS)));
    const { fd, size, lastSeq } = openCurrent(join(dir, CURRENT));
    this.fd = fd;
    this.size = size;
    this.seq = Math.max(previous, lastSeq);
  }

  /** Opens (creating) the log in `dir`; cuts a torn last line off the current file. */
  static open(dir: string, opts: { maxBytes?: number } = {}): EventStore {
    return new EventStore(dir, Math.max(opts.maxBytes ?? DEFAULT_EVENTS_MAX_SIZE, 2 * HEADER.length + 2));
  }

  get lastSeq(): number {
    return this.seq;
  }

  append(record: StoredEvent): void {
    const line = Buffer.from(`${JSON.stringify(record)}\n`);
    if (this.size > HEADER.length && this.size + line.length > this.maxBytes / 2) this.rotate();
    writeAll(this.fd, line);
    this.size += line.length;
    this.seq = Math.max(this.seq, record.seq);
    this.syncTimer ??= setTimeout(() => {
      this.syncTimer = undefined;
      fdatasync(this.fd, () => {});
    }, 1000).unref();
  }

  async read(since?: number, until?: number): Promise<{ events: StoredEvent[]; lastSeq: number }> {
    for (;;) {
      const generation = this.generation;
      const lastSeq = this.seq;
      const texts = await Promise.all([PREVIOUS, CURRENT].map((f) => readFile(join(this.dir, f), 'utf8').catch(() => '')));
      if (generation !== this.generation) continue;
      const lo = since === undefined ? -Infinity : since * 1e9;
      const hi = until === undefined ? Infinity : until * 1e9;
      const events = texts.flatMap(parseRecords).filter((r) => r.seq <= lastSeq && r.event.timeNano >= lo && r.event.timeNano <= hi);
      return { events, lastSeq };
    }
  }

  close(): void {
    clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    fdatasyncSync(this.fd);
    closeSync(this.fd);
  }

  private rotate(): void {
    fdatasyncSync(this.fd);
    closeSync(this.fd);
    renameSync(join(this.dir, CURRENT), join(this.dir, PREVIOUS));
    this.generation += 1;
    const { fd, size } = openCurrent(join(this.dir, CURRENT));
    this.fd = fd;
    this.size = size;
  }
}

function writeAll(fd: number, buf: Buffer): void {
  for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off);
}

/** Opens the current file for appending: a new file gets the header; a torn tail is cut off. */
function openCurrent(path: string): { fd: number; size: number; lastSeq: number } {
  if (existsSync(path)) {
    const text = readFileSync(path, 'utf8');
    if (text.startsWith(HEADER)) {
      const keep = Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1));
      const fd = openSync(path, 'a');
      if (keep < fstatSync(fd).size) ftruncateSync(fd, keep);
      return { fd, size: keep, lastSeq: lastSeqOf(parseRecords(text)) };
    }
    // not ours (or an unknown schema): set it aside rather than append to it
    renameSync(path, `${path}.unreadable-${Date.now()}`);
  }
  const fd = openSync(path, 'a');
  writeAll(fd, Buffer.from(HEADER));
  return { fd, size: HEADER.length, lastSeq: 0 };
}

function readLines(path: string): StoredEvent[] {
  try {
    return parseRecords(readFileSync(path, 'utf8'));
  } catch {
    return [];
  }
}

/** The records of one file's text; an unknown header yields none, a torn or corrupt line is skipped. */
export function parseRecords(text: string): StoredEvent[] {
  if (!text.startsWith(HEADER)) return [];
  const out: StoredEvent[] = [];
  const body = text.slice(HEADER.length);
  const complete = body.slice(0, body.lastIndexOf('\n') + 1);
  for (const line of complete.split('\n')) {
    if (line === '') continue;
    try {
      const r = JSON.parse(line) as StoredEvent;
      if (typeof r.seq === 'number' && r.event && typeof r.event.timeNano === 'number') out.push(r);
    } catch {
      // a corrupt line: skipped
    }
  }
  return out;
}

const lastSeqOf = (records: StoredEvent[]): number => records.reduce((m, r) => Math.max(m, r.seq), 0);
