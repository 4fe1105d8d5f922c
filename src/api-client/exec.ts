import type { ExecCreateRequest, ExecInspect } from '../api/types.js';
import { withOutput, type AttachedStreams } from './container-attach.js';
import { type Transport, compareVersions } from './transport.js';

/** What `POST /exec/{id}/start` takes (docker's `ExecStartOptions`). */
export interface ExecStartOptions {
  Detach?: boolean;
  Tty?: boolean;
  ConsoleSize?: [number, number] | null;
}

/** The exec create body as docker's client sends it (`ExecOptions`, with `Detach`). */
export type ExecCreateBody = ExecCreateRequest & { Detach?: boolean };

/** POST /containers/{id}/exec: returns the new exec's id. */
export async function execCreate(t: Transport, container: string, body: ExecCreateBody): Promise<string> {
  const sent: ExecCreateBody = { ...body };
  if (!sent.ConsoleSize || (await before142(t))) delete sent.ConsoleSize;
  const r = await t.json<{ Id: string }>(`/containers/${encodeURIComponent(container)}/exec`, { method: 'POST', body: sent });
  return r?.Id ?? '';
}

/** POST /exec/{id}/start with `Detach: true`: starts the process and returns at once. */
export async function execStartDetached(t: Transport, id: string, opts: Omit<ExecStartOptions, 'Detach'> = {}): Promise<void> {
  await t.call(`/exec/${encodeURIComponent(id)}/start`, { method: 'POST', body: startBody(true, opts, await before142(t)) });
}

/**
 * POST /exec/{id}/start, hijacked: write stdin to `socket` (`end()` half-closes it) and read
 * the output from `output` (raw with a TTY, else in Docker's 8-byte frames).
 */
export async function execAttach(t: Transport, id: string, opts: Omit<ExecStartOptions, 'Detach'> = {}): Promise<AttachedStreams> {
  const conn = await t.hijack(`/exec/${encodeURIComponent(id)}/start`, { method: 'POST', body: startBody(false, opts, await before142(t)) });
  return withOutput(conn);
}

/** GET /exec/{id}/json */
export async function execInspect(t: Transport, id: string): Promise<ExecInspect> {
  return t.json(`/exec/${encodeURIComponent(id)}/json`);
}

/** POST /exec/{id}/resize */
export async function execResize(t: Transport, id: string, height: number, width: number): Promise<void> {
  await t.call(`/exec/${encodeURIComponent(id)}/resize`, { method: 'POST', query: { h: height, w: width } });
}

/** `ConsoleSize` is left out when unset (`omitempty`) or the daemon is older than API 1.42. */
function startBody(detach: boolean, opts: Omit<ExecStartOptions, 'Detach'>, old: boolean): ExecStartOptions {
  return { Detach: detach, Tty: !!opts.Tty, ...(opts.ConsoleSize && !old ? { ConsoleSize: opts.ConsoleSize } : {}) };
}

async function before142(t: Transport): Promise<boolean> {
  return compareVersions(await t.apiVersion(), '1.42') < 0;
}
