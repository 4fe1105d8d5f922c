import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { ContainerConfig } from '../api/types.js';
import type { ResolvedImage } from '../images/image-service.js';
import type { Mount } from '../mount/types.js';
import { EngineError } from '../shared/errors.js';
import { fakeClock } from './clock.js';
import type { OutputChunk } from './container-service.js';
import { OutputBatch } from '../runtime/log-types.js';
import type { ContainerEvent } from './service-context.js';
import { LocalContainerService } from './local-container-service.js';
import type { ImagePort, LaunchRequest, MountPort, RuntimeAttach, RuntimePort, SnapshotPort, SpecPort } from './ports.js';
import { isoTime } from '../shared/iso-time.js';

/** Test doubles for the containers service's ports (no root, no processes). */

type Chunk = { stream: 'stdout' | 'stderr'; data: Buffer };

class Pipe implements AsyncIterable<Chunk> {
  items: Chunk[] = [];
  done = false;
  wake: (() => void) | undefined;
  push(c: Chunk): void {
    this.items.push(c);
    this.wake?.();
  }
  end(): void {
    this.done = true;
    this.wake?.();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<Chunk> {
    for (;;) {
      const c = this.items.shift();
      if (c) {
        yield c;
        continue;
      }
      if (this.done) return;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }
}

export interface FakeBehavior {
  /** Thrown by launch (e.g. a RuntimeStartError-like error with exitCode). */
  launchError?: Error;
  /** Output written on start. */
  output?: Chunk[];
  /** Exit by itself right after start with this code. */
  exitOnStart?: number;
  /** SIGTERM is ignored (stop must escalate to SIGKILL). */
  ignoreTerm?: boolean;
  /** Echo stdin to stdout. */
  echoStdin?: boolean;
}

interface Proc {
  req: LaunchRequest;
  state: 'created' | 'running' | 'paused' | 'stopped';
  watchers: Set<() => void>;
  conns: Pipe[];
  behavior: FakeBehavior;
}

const SIGNUM: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGHUP: 1, SIGUSR1: 10, SIGQUIT: 3 };

export class FakeRuntime implements RuntimePort {
  readonly name = 'fake';
  readonly calls: string[] = [];
  readonly procs = new Map<string, Proc>();
  readonly exits = new Map<string, number>();
  readonly logs = new Map<string, OutputChunk[]>();
  readonly alive = new Set<number>();
  behavior: (id: string) => FakeBehavior = () => ({});
  private seq = 0;

  async launch(req: LaunchRequest): Promise<{ conmonPid: number; pid: number }> {
    this.calls.push(`launch ${req.id}`);
    const behavior = this.behavior(req.id);
    if (behavior.launchError) throw behavior.launchError;
    this.exits.delete(req.stateDir);
    this.procs.set(req.id, { req, state: 'created', watchers: new Set(), conns: [], behavior });
    const n = ++this.seq;
    this.alive.add(1000 + n);
    return { conmonPid: 1000 + n, pid: 2000 + n };
  }

  async start(id: string): Promise<void> {
    this.calls.push(`start ${id}`);
    const p = this.proc(id);
    p.state = 'running';
    for (const c of p.behavior.output ?? []) this.emit(p, c);
    if (p.behavior.exitOnStart !== undefined) {
      const code = p.behavior.exitOnStart;
      setTimeout(() => this.exit(id, code), 5);
    }
  }

  async kill(id: string, signal: string): Promise<void> {
    this.calls.push(`kill ${id} ${signal}`);
    const p = this.procs.get(id);
    if (!p || p.state === 'stopped' || p.state === 'created') throw new EngineError('internal', 'container not running');
    if (signal === 'SIGKILL') setTimeout(() => this.exit(id, 137), 1);
    else if (!(signal === 'SIGTERM' && p.behavior.ignoreTerm)) setTimeout(() => this.exit(id, 128 + (SIGNUM[signal] ?? 0)), 1);
  }

  async delete(id: string): Promise<void> {
    this.calls.push(`delete ${id}`);
    this.procs.delete(id);
  }

  async pause(id: string): Promise<void> {
    this.proc(id).state = 'paused';
  }

  async resume(id: string): Promise<void> {
    this.proc(id).state = 'running';
  }

  async readExit(stateDir: string): Promise<{ code: number } | undefined> {
    const code = this.exits.get(stateDir);
    return code === undefined ? undefined : { code };
  }

  watchExit(stateDir: string, id: string, onExit: () => void): () => void {
    if (this.exits.has(stateDir)) {
      queueMicrotask(onExit);
      return () => {};
    }
    const p = this.procs.get(id);
    if (!p) return () => {};
    p.watchers.add(onExit);
    return () => p.watchers.delete(onExit);
  }

  isAlive(pid: number): boolean {
    return this.alive.has(pid);
  }

  attach(stateDir: string, opts: { stdin: boolean }): RuntimeAttach {
    const p = [...this.procs.values()].find((x) => x.req.stateDir === stateDir);
    if (!p) throw new EngineError('internal', 'failed to attach: no socket');
    const pipe = new Pipe();
    p.conns.push(pipe);
    const stdin = opts.stdin
      ? new Writable({
          write: (chunk: Buffer, _e, cb) => {
            if (p.behavior.echoStdin) this.emit(p, { stream: 'stdout', data: chunk });
            cb();
          },
          final: (cb) => {
            if (p.behavior.echoStdin) setTimeout(() => this.exit(p.req.id, 0), 1);
            cb();
          },
        })
      : undefined;
    return { output: pipe, stdin, close: () => pipe.end() };
  }

  async resize(): Promise<void> {}

  async *readLog(logPath: string, opts: { follow: boolean; stdout?: boolean; stderr?: boolean; stop?: AbortSignal }): AsyncIterable<OutputBatch> {
    let i = 0;
    for (;;) {
      const all = this.logs.get(logPath) ?? [];
      const fresh = all.slice(i).filter((c) => (c.stream === 'stdout' ? opts.stdout : opts.stderr) ?? true);
      if (fresh.length) yield OutputBatch.of(fresh);
      i = all.length;
      if (!opts.follow || opts.stop?.aborted) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Simulate the container's process exiting with `code`. */
  exit(id: string, code: number): void {
    const p = this.procs.get(id);
    if (!p || p.state === 'stopped') return;
    p.state = 'stopped';
    this.exits.set(p.req.stateDir, code);
    for (const c of p.conns) c.end();
    for (const w of p.watchers) w();
    p.watchers.clear();
  }

  private emit(p: Proc, c: Chunk): void {
    const log = this.logs.get(p.req.logPath) ?? [];
    log.push({ ...c, time: isoTime() });
    this.logs.set(p.req.logPath, log);
    for (const conn of p.conns) conn.push(c);
  }

  private proc(id: string): Proc {
    const p = this.procs.get(id);
    if (!p) throw new EngineError('not-found', `container ${id} does not exist`);
    return p;
  }
}

export class FakeImages implements ImagePort {
  images = new Map<string, ResolvedImage>();
  add(ref: string, config: ContainerConfig, id = `sha256:${'ab'.repeat(32)}`): void {
    this.images.set(ref, { id, reference: ref, config, topChainId: `sha256:${'cd'.repeat(32)}`, os: 'linux', architecture: 'amd64' });
  }
  async resolve(ref: string): Promise<ResolvedImage> {
    const img = this.images.get(ref) ?? this.images.get(`${ref}:latest`);
    if (!img) throw new EngineError('not-found', `No such image: ${ref.includes(':') ? ref : `${ref}:latest`}`);
    return img;
  }
}

export class FakeSnapshots implements SnapshotPort {
  readonly active = new Map<string, string | null>();
  async prepare(key: string, parent: string | null): Promise<Mount[]> {
    if (this.active.has(key)) throw new EngineError('conflict', `snapshot ${key} already exists`);
    this.active.set(key, parent);
    return this.mounts(key);
  }
  async mounts(key: string): Promise<Mount[]> {
    if (!this.active.has(key)) throw new EngineError('not-found', `snapshot ${key} does not exist`);
    return [{ type: 'overlay', source: 'overlay', options: [`upperdir=/fake/${key}`] }];
  }
  async remove(key: string): Promise<void> {
    if (!this.active.delete(key)) throw new EngineError('not-found', `snapshot ${key} does not exist`);
  }
  async graphData(key: string, merged?: string): Promise<Record<string, string>> {
    return { UpperDir: `/fake/${key}`, MergedDir: merged ?? '' };
  }
}

export class FakeMounts implements MountPort {
  readonly mounted = new Set<string>();
  mountAll(_m: Mount[], target: string): void {
    this.mounted.add(target);
  }
  unmount(target: string): void {
    this.mounted.delete(target);
  }
}

export const fakeSpec: SpecPort = {
  resolveUser: async (_r, user) => {
    if (user && !/^\d*$/.test(user) && user !== 'root') throw new EngineError('invalid-argument', `unable to find user ${user}: no matching entries in passwd file`);
    return { uid: 0, gid: 0, additionalGids: [] };
  },
  build: (input) => ({ ociVersion: '1.0.2', process: { user: { uid: 0, gid: 0 }, args: [], env: [], cwd: '/' }, root: { path: input.rootfsPath }, mounts: [], linux: {} }) as never,
  rlimitNofile: async () => ({ soft: 1024, hard: 4096 }),
  validate: (h) => {
    if (h.Memory && h.Memory < 6 * 1024 * 1024) throw new EngineError('invalid-argument', 'Minimum memory limit allowed is 6MB');
  },
};

/** A service over fakes in a temp dir; call cleanup() at the end. */
export function fakeService(): {
  svc: LocalContainerService;
  runtime: FakeRuntime;
  images: FakeImages;
  snapshots: FakeSnapshots;
  mounts: FakeMounts;
  clock: ReturnType<typeof fakeClock>;
  events: ContainerEvent[];
  root: string;
  cleanup(): Promise<void>;
} {
  const root = mkdtempSync(join(tmpdir(), 'berth-ctr-'));
  const runtime = new FakeRuntime();
  const images = new FakeImages();
  images.add('busybox:latest', { Cmd: ['sh'], Env: ['PATH=/usr/bin:/bin'] });
  const snapshots = new FakeSnapshots();
  const mounts = new FakeMounts();
  const clock = fakeClock(Date.parse('2024-05-01T10:00:00Z'));
  const events: ContainerEvent[] = [];
  const svc = new LocalContainerService({
    dataRoot: join(root, 'data'),
    execRoot: join(root, 'exec'),
    images,
    snapshots,
    mounts,
    spec: fakeSpec,
    runtime,
    clock,
    hostFiles: () => ({ resolvConf: 'nameserver 10.0.0.1\nsearch example.com\n', hosts: '127.0.0.1 localhost\n', hostname: 'thehost' }),
    restartBaseDelayMs: 5,
    publish: (e) => events.push(e),
  });
  return { svc, runtime, images, snapshots, mounts, clock, events, root, cleanup: async () => {
    svc.close();
    await Promise.all(svc.ctx.fileRemovals);
    // An exit the fake runtime reported just before may still be saving its record.
    for (let i = 0; i < 20; i++) {
      await new Promise((r) => setImmediate(r));
      if (svc.ctx.saving.size === 0) break;
      await Promise.allSettled(svc.ctx.saving);
    }
    rmSync(root, { recursive: true, force: true });
  } };
}
