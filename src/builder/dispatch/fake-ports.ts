import type { ContainerConfig } from '../../api/types.js';
import type { BuildImage, BuildPorts, CopyEntry, CopyFromImage, StepContainerSpec } from './ports.js';

/** What the fake engine saw, in order (tests only). */
export interface FakeCall {
  op: string;
  id?: string;
  detail?: unknown;
}

interface FakeImage extends BuildImage {
  parent: string | null;
  createdBy: string;
  layer: boolean;
}

/**
 * In-memory BuildPorts for dispatcher tests: images are records, RUN "runs" by looking up
 * a scripted exit code and output for its command, every call is recorded.
 *
 * @example
 *   const f = new FakeEngine(); f.addImage('busybox', { Env: ['PATH=/bin'] });
 *   await runBuild(f.ports, cache, ctx, {}, out);
 */
export class FakeEngine {
  readonly images = new Map<string, FakeImage>();
  readonly tags = new Map<string, string>();
  readonly containers = new Map<string, StepContainerSpec & { copied: CopyEntry[]; dirs: string[] }>();
  readonly calls: FakeCall[] = [];
  /** Every entry any COPY/ADD wrote. */
  readonly copied: CopyEntry[] = [];
  /** Exit code and output per RUN command (last element of Cmd); default 0 and no output. */
  readonly scripts = new Map<string, { code: number; output?: string }>();
  /** Files every container sees (`/etc/passwd`). */
  readonly files = new Map<string, string>();
  private n = 0;

  addImage(ref: string, config: ContainerConfig): string {
    const id = `sha256:${(++this.n).toString(16).padStart(64, '0')}`;
    this.images.set(id, { id, config, os: 'linux', architecture: 'amd64', parent: null, createdBy: '', layer: true });
    this.tags.set(ref, id);
    return id;
  }

  private newImage(parent: string | null, config: ContainerConfig, createdBy: string, layer: boolean): string {
    const id = `sha256:${(++this.n).toString(16).padStart(64, 'a')}`;
    this.images.set(id, { id, config: structuredClone(config), os: 'linux', architecture: 'amd64', parent, createdBy, layer });
    return id;
  }

  /** History of an image, oldest first. */
  history(id: string): string[] {
    const out: string[] = [];
    for (let img = this.images.get(id); img; img = img.parent ? this.images.get(img.parent) : undefined) out.unshift(img.createdBy);
    return out;
  }

  readonly ports: BuildPorts = {
    images: {
      find: async (ref) => {
        const id = this.tags.get(ref) ?? this.tags.get(`${ref}:latest`) ?? (this.images.has(ref) ? ref : undefined);
        const img = id ? this.images.get(id) : undefined;
        return img ? { id: img.id, config: structuredClone(img.config), os: img.os, architecture: img.architecture } : undefined;
      },
      pull: async (ref) => {
        this.calls.push({ op: 'pull', detail: ref });
      },
      commit: async (input) => {
        this.calls.push({ op: 'image-commit', detail: input.createdBy });
        return this.newImage(input.parent, input.config, input.createdBy, false);
      },
      tag: async (id, ref) => {
        const full = ref.includes(':') ? ref : `${ref}:latest`;
        this.tags.set(full, id);
        return full;
      },
      exists: async (id) => this.images.has(id),
    },
    containers: {
      create: async (spec) => {
        const id = (++this.n).toString(16).padStart(64, 'c');
        this.containers.set(id, { ...structuredClone(spec), copied: [], dirs: [] });
        this.calls.push({ op: 'create', id, detail: spec.config.Cmd });
        return id;
      },
      run: async (id, onOutput) => {
        const c = this.containers.get(id)!;
        this.calls.push({ op: 'run', id });
        const s = this.scripts.get(c.config.Cmd?.at(-1) ?? '') ?? { code: 0 };
        if (s.output) onOutput(Buffer.from(s.output));
        return s.code;
      },
      copyInto: async (id, entries) => {
        this.containers.get(id)!.copied.push(...entries);
        this.copied.push(...entries);
        this.calls.push({ op: 'copy', id, detail: entries.map((e) => e.path) });
      },
      copyFromImage: async (id, req: CopyFromImage) => {
        this.calls.push({ op: 'copy-from', id, detail: { image: req.image, sources: req.sources, dest: req.dest } });
      },
      exportPath: async (image, path, hostDir) => {
        this.calls.push({ op: 'export', detail: { image, path } });
        return `${hostDir}${path}`;
      },
      readFile: async (_id, path) => (this.files.has(path) ? Buffer.from(this.files.get(path)!) : undefined),
      mkdir: async (id, path) => {
        this.containers.get(id)!.dirs.push(path);
        this.calls.push({ op: 'mkdir', id, detail: path });
      },
      commit: async (id, input) => {
        const c = this.containers.get(id)!;
        this.calls.push({ op: 'commit', id, detail: input.createdBy });
        return this.newImage(c.image, input.config, input.createdBy, true);
      },
      remove: async (id) => {
        this.containers.delete(id);
        this.calls.push({ op: 'remove', id });
      },
    },
  };
}
