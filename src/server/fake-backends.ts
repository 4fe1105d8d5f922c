import { PassThrough, Readable } from 'node:stream';
import type { ServerBackends } from './backends.js';
import { OutputBatch, type AttachSession, type OutputChunk } from '../containers/container-service.js';
import type { ContainerCreateRequest, ContainerInspect, ContainerSummary } from '../api/types.js';
import { EngineError, notFound, conflict, invalid } from '../shared/errors.js';
import { EventBus } from '../events/event-bus.js';

/** Test double state for one container. */
export interface FakeContainer {
  id: string;
  name: string;
  running: boolean;
  tty: boolean;
  output: OutputChunk[];
  /** What the client wrote to stdin, and whether stdin was ended. */
  stdin: Buffer[];
  stdinEnded: boolean;
  exit?: (code: number) => void;
}

const chunk = (stream: 'stdout' | 'stderr', s: string): OutputChunk => ({ stream, data: Buffer.from(s), time: '2024-01-01T00:00:00.000000000Z' });

/** In-memory backends for route tests: containers `c1` (stopped) and `web` (running, tty), image `busybox:latest`. */
export function fakeBackends(): ServerBackends & { fake: { containers: Map<string, FakeContainer>; bus: EventBus; calls: string[] } } {
  const containers = new Map<string, FakeContainer>();
  const calls: string[] = [];
  const add = (id: string, name: string, running: boolean, tty: boolean): void => {
    containers.set(id, { id, name, running, tty, output: [chunk('stdout', 'out1\n'), chunk('stderr', 'err1\n')], stdin: [], stdinEnded: false });
  };
  add('c1', 'c1', false, false);
  add('web', 'web', true, true);
  add('boom', 'boom', true, false);
  const get = (ref: string): FakeContainer => {
    const c = containers.get(ref);
    if (!c) throw notFound(`No such container: ${ref}`);
    return c;
  };
  const bus = new EventBus();
  const images = new Set(['busybox:latest']);
  const imageOf = (ref: string): string => {
    const r = ref.includes(':') ? ref : `${ref}:latest`;
    if (!images.has(r)) throw notFound(`No such image: ${r}`);
    return r;
  };
  const session = (c: FakeContainer, withStdin: boolean): AttachSession => {
    const stdin = new PassThrough();
    stdin.on('data', (d: Buffer) => c.stdin.push(d));
    let finish: () => void = () => {};
    const done = new Promise<void>((r) => (finish = r));
    stdin.on('end', () => {
      c.stdinEnded = true;
      // the fake container echoes stdin then exits once stdin closes
      finish();
    });
    async function* output(): AsyncGenerator<OutputChunk> {
      for (const o of c.output) yield o;
      if (c.id === 'boom') throw new Error('monitor went away');
      if (withStdin) {
        await done;
        yield chunk('stdout', `got:${Buffer.concat(c.stdin).toString()}`);
      }
    }
    return { tty: c.tty, output: output(), stdin: withStdin ? stdin : undefined, detach: () => finish() };
  };

  return {
    fake: { containers, bus, calls },
    events: bus,
    system: {
      version: async () => ({ Version: '24.0.0-berth', ApiVersion: '1.43', MinAPIVersion: '1.24', Os: 'linux' }),
      info: async () => ({ Containers: containers.size, Driver: 'overlay2' }),
    },
    images: {
      list: async () => [...images].map((r) => ({ Id: 'sha256:' + 'a'.repeat(64), ParentId: '', RepoTags: [r], RepoDigests: [], Created: 0, Size: 1, SharedSize: -1, Labels: {}, Containers: -1 })),
      inspect: async (ref) => ({ Id: 'sha256:' + 'a'.repeat(64), RepoTags: [imageOf(ref)] }) as never,
      history: async (ref) => (imageOf(ref), [{ Id: 'sha256:x', Created: 0, CreatedBy: 'sh', Tags: null, Size: 0, Comment: '' }]),
      tag: async (src, repo, tag) => {
        imageOf(src);
        if (!repo) throw invalid('repository name must have at least one component');
        images.add(`${repo}:${tag ?? 'latest'}`);
      },
      remove: async (ref, opts) => {
        const r = imageOf(ref);
        if (r === 'busybox:latest' && !opts.force) throw conflict('conflict: unable to remove repository reference "busybox" (must force) - container c1 is using its referenced image aaaaaaaaaaaa');
        images.delete(r);
        return [{ Untagged: r }];
      },
      load: async (tar, progress) => {
        let n = 0;
        for await (const b of tar) n += (b as Buffer).length;
        if (n === 0) throw invalid('unexpected EOF');
        progress({ stream: `Loaded image: loaded:${n}\n` });
        if (n === 13) throw new Error('broken tar after progress');
        images.add(`loaded:${n}`);
      },
      save: async (refs) => {
        refs.forEach(imageOf);
        return Readable.from([Buffer.from(`TAR(${refs.join(',')})`)]);
      },
      importRootfs: async (src, opts, progress) => {
        let n = 0;
        for await (const b of src) n += (b as Buffer).length;
        progress({ status: `importing ${n} bytes` });
        images.add(`${opts.repo ?? 'imported'}:${opts.tag ?? 'latest'}`);
        calls.push(`import changes=${JSON.stringify(opts.changes)} message=${opts.message ?? ''}`);
        progress({ status: 'sha256:' + 'b'.repeat(64) });
        return 'sha256:' + 'b'.repeat(64);
      },
      prune: async () => ({ ImagesDeleted: null, SpaceReclaimed: 0 }),
    },
    containers: {
      create: async (req: ContainerCreateRequest, opts) => {
        imageOf(req.Image ?? '');
        const name = opts.name ?? 'gen';
        if ([...containers.values()].some((c) => c.name === name)) throw conflict(`Conflict. The container name "/${name}" is already in use`);
        add(name, name, false, !!req.Tty);
        return { Id: name, Warnings: [] };
      },
      start: async (ref) => {
        const c = get(ref);
        if (c.running) throw new EngineError('not-modified', 'container already started');
        c.running = true;
      },
      stop: async (ref, opts) => {
        const c = get(ref);
        calls.push(`stop ${ref} t=${opts.timeout} signal=${opts.signal}`);
        if (!c.running) throw new EngineError('not-modified', 'container already stopped');
        c.running = false;
        c.exit?.(137);
      },
      restart: async (ref) => void get(ref),
      kill: async (ref, signal) => {
        const c = get(ref);
        if (!c.running) throw conflict(`Container ${c.id} is not running`);
        calls.push(`kill ${ref} ${signal}`);
      },
      wait: async (ref, condition, signal) => {
        const c = get(ref);
        calls.push(`wait ${ref} ${condition}`);
        if (!c.running && condition === 'not-running') return { StatusCode: 0 };
        return new Promise((resolve, reject) => {
          c.exit = (code) => resolve({ StatusCode: code });
          signal?.addEventListener('abort', () => reject(new Error('aborted')));
        });
      },
      remove: async (ref, opts) => {
        const c = get(ref);
        if (c.running && !opts.force) throw conflict(`You cannot remove a running container ${c.id}. Stop the container before attempting removal or force remove`);
        containers.delete(ref);
      },
      rename: async (ref, name) => {
        const c = get(ref);
        if (!name) throw invalid('Neither old nor new names may be empty');
        c.name = name;
      },
      list: async (opts) =>
        [...containers.values()].filter((c) => opts.all || c.running).map((c) => ({ Id: c.id, Names: ['/' + c.name], State: c.running ? 'running' : 'exited' }) as ContainerSummary),
      inspect: async (ref) => {
        const c = get(ref);
        return { Id: c.id, Name: '/' + c.name, State: { Running: c.running } } as unknown as ContainerInspect;
      },
      logs: async (ref) => {
        const c = get(ref);
        async function* gen(): AsyncGenerator<OutputBatch> {
          for (const o of c.output) yield OutputBatch.of([o]);
        }
        return { tty: c.tty, batches: gen() };
      },
      attach: async (ref, opts) => {
        const c = get(ref);
        return session(c, !!opts.stdin);
      },
      resize: async (ref, h, w) => {
        get(ref);
        calls.push(`resize ${ref} ${h}x${w}`);
      },
      pause: async (ref) => {
        const c = get(ref);
        if (!c.running) throw conflict(`Container ${c.id} is not running`);
      },
    },
  };
}
