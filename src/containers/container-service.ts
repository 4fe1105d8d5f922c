import type { Readable, Writable } from 'node:stream';
import type { Filters } from '../shared/filters.js';
import type { ContainerCreateRequest, ContainerCreateResponse, ContainerInspect, ContainerSummary, ContainerWaitResponse } from '../api/types.js';

export type StdStream = 'stdin' | 'stdout' | 'stderr';

export type { LogsOptions, OutputChunk } from '../runtime/log-types.js';
export { OutputBatch } from '../runtime/log-types.js';
import type { LogsOptions, OutputBatch, OutputChunk } from '../runtime/log-types.js';

/**
 * A live attach to a container's stdio. `output` ends when the container's stdio closes
 * (the container exited) or detach() is called. `stdin` is present when requested and the
 * container has OpenStdin; ending it closes the container's stdin when StdinOnce.
 */
export interface AttachSession {
  tty: boolean;
  output: AsyncIterable<OutputChunk>;
  stdin?: Writable;
  detach(): void;
}

/** The stdio of a started (attached) exec, as the HTTP edge streams it. */
export interface ExecStream {
  tty: boolean;
  /** Output chunks; ends after the process exited and its exit code is recorded. */
  output: AsyncIterable<OutputChunk>;
  stdin?: Writable;
  detach(): void;
}

/** Result of starting an exec: a stream when attached, or the start error text Docker writes into it. */
export type ExecStartResult = { stream?: ExecStream; error?: string };

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

/**
 * Containers: create -> start -> (stop|kill|exit) -> remove, run through an OCI runtime
 * (crun/runc) under a per-container monitor (conmon) so containers outlive the daemon.
 * Every operation checks the status transition table first. list/inspect never block on
 * an in-flight operation. Errors use Docker's wording (`No such container: x`,
 * `Conflict. The container name "/x" is already in use by container "id". You have to
 * remove (or rename) that container to be able to reuse that name.`).
 */
export interface ContainerService {
  create(req: ContainerCreateRequest, opts: { name?: string; platform?: string }): Promise<ContainerCreateResponse>;
  start(idOrName: string): Promise<void>;
  /** timeout seconds; undefined = container's StopTimeout or 10; signal overrides StopSignal. */
  stop(idOrName: string, opts: { timeout?: number; signal?: string }): Promise<void>;
  restart(idOrName: string, opts: { timeout?: number; signal?: string }): Promise<void>;
  kill(idOrName: string, signal?: string): Promise<void>;
  wait(idOrName: string, condition: WaitCondition, signal?: AbortSignal): Promise<ContainerWaitResponse>;
  remove(idOrName: string, opts: { force?: boolean; volumes?: boolean; link?: boolean }): Promise<void>;
  rename(idOrName: string, newName: string): Promise<void>;
  list(opts: { all?: boolean; limit?: number; size?: boolean; filters?: Filters }): Promise<ContainerSummary[]>;
  inspect(idOrName: string, opts?: { size?: boolean }): Promise<ContainerInspect>;
  /** The log in batches of chunks (one batch per block read: send each as one write). */
  logs(idOrName: string, opts: LogsOptions): Promise<{ tty: boolean; batches: AsyncIterable<OutputBatch> }>;
  attach(idOrName: string, opts: { stdin?: boolean; stdout?: boolean; stderr?: boolean; logs?: boolean; stream?: boolean; detachKeys?: string }): Promise<AttachSession>;
  resize(idOrName: string, height: number, width: number): Promise<void>;
  /** Container ids using an image (for rmi conflicts). */
  usersOfImage(imageId: string): { containerId: string; running: boolean }[];
  /** Re-adopt containers after a daemon restart (conmon kept them alive). */
  restore(): Promise<void>;
}
