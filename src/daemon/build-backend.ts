import { createReadStream } from 'node:fs';
import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import type { ContainerConfig } from '../api/types.js';
import type { BuildBackend, ContainerBackend, ImagePuller } from '../server/backends.js';
import { statInLayers } from './layer-stat.js';
import { BuildCache, extractTar, receiveContext, runBuild, SyncedContexts, type BuildPorts, type CopyEntry, type CopyFromImage } from '../builder/index.js';
import { decompress, readTar } from '../archive/index.js';
import { encodeHeader, END_OF_ARCHIVE, padding } from '../archive/tar-encode.js';
import { familiarString, parseReference, withDefaultTag } from '../images/reference.js';
import type { CommitImageInput, CommitImageResult } from '../images/commit-image.js';
import type { ResolvedImage } from '../images/image-service.js';
import type { ImageConfigJSON } from '../images/image-config.js';
import type { CommitLayerInput } from '../containers/commit.js';
import type { Digest } from '../shared/digest.js';
import { EngineError } from '../shared/errors.js';
import { span } from '../shared/trace-timing.js';

/** The image service as the builder's adapter uses it. */
export interface BuildImageDeps {
  resolve(ref: string): Promise<ResolvedImage>;
  /** For the image's layer directories (GraphDriver.Data). */
  inspect(ref: string): Promise<{ GraphDriver?: { Data?: Record<string, string> | null } }>;
  commit(input: CommitImageInput): Promise<CommitImageResult>;
  tag(source: string, repo: string, tag?: string): Promise<void>;
  /** The stored config JSON and recorded parent (`--cache-from` history chains). */
  imageConfig(ref: string): Promise<{ id: string; parent?: string; config: ImageConfigJSON }>;
}

/** The container service as the builder's adapter uses it. */
export type BuildContainerDeps = Required<Pick<ContainerBackend, 'archivePut' | 'archiveStat' | 'archiveGet'>> &
  Pick<ContainerBackend, 'create' | 'start' | 'wait' | 'attach' | 'remove' | 'kill' | 'list'> & {
    commitLayer(idOrName: string, input: CommitLayerInput): Promise<CommitImageResult>;
  };

function tarOf(entries: { name: string; type: 'file' | 'directory' | 'symlink'; mode: number; uid: number; gid: number; size: number; linkname?: string; mtime?: number; body?: () => AsyncIterable<Buffer> }[]): Readable {
  return Readable.from((async function* () {
    for (const e of entries) {
      yield encodeHeader({ name: e.name, type: e.type, mode: e.mode, uid: e.uid, gid: e.gid, size: e.size, mtime: e.mtime ?? Math.floor(Date.now() / 1000), linkname: e.linkname ?? '' });
      if (e.type === 'file' && e.body) {
        let n = 0;
        for await (const chunk of e.body()) {
          n += chunk.length;
          yield chunk;
        }
        if (n !== e.size) throw new EngineError('internal', `failed to copy ${e.name}: size changed while copying`);
        yield padding(e.size);
      }
    }
    yield END_OF_ARCHIVE;
  })());
}

const parents = (p: string): string[] => {
  const out: string[] = [];
  for (let d = posix.dirname(p); d !== '/' && d !== '.'; d = posix.dirname(d)) out.unshift(d);
  return out;
};

function splitRef(ref: string): { image: string; tag?: string } {
  const at = ref.indexOf('@');
  if (at >= 0) return { image: ref.slice(0, at), tag: ref.slice(at + 1) };
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return { image: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { image: ref };
}

/**
 * The builder's ports over the real services: step containers are created, started and
 * committed through the container service, images through the image service.
 */
export function buildPorts(images: BuildImageDeps, containers: BuildContainerDeps, puller: ImagePuller | undefined): BuildPorts {
  const exists = async (id: string, path: string): Promise<boolean> => containers.archiveStat(id, path).then(() => true, () => false);
  const ensureDirs = async (id: string, dirs: string[], owner = { uid: 0, gid: 0 }): Promise<void> => {
    const missing: string[] = [];
    for (const d of dirs) if (!(await exists(id, d))) missing.push(d);
    if (!missing.length) return;
    await containers.archivePut(id, '/', tarOf(missing.map((d) => ({ name: `${d.slice(1)}/`, type: 'directory' as const, mode: 0o755, ...owner, size: 0 }))), {});
  };
  return {
    images: {
      async find(ref) {
        try {
          const r = await images.resolve(ref);
          return { id: r.id, config: r.config, os: r.os, architecture: r.architecture };
        } catch (err) {
          if (EngineError.is(err, 'not-found')) return undefined;
          throw err;
        }
      },
      async pull(ref, platform) {
        if (!puller) throw new EngineError('not-found', `pull access denied for ${ref}, repository does not exist or may require 'docker login'`);
        await puller.pull({ ...splitRef(ref), platform }, {}, () => undefined);
      },
      async commit(input) {
        return (await images.commit({ ...input })).id;
      },
      async tag(id, ref) {
        const parsed = withDefaultTag(parseReference(ref));
        const { image, tag } = splitRef(familiarString(parsed));
        await images.tag(id, image, tag);
        return familiarString(parsed);
      },
      async exists(id) {
        return images.resolve(id).then(() => true, () => false);
      },
      async chainOf(ref) {
        try {
          const { id, parent, config } = await images.imageConfig(ref);
          return { id, parent, history: config.history ?? [], diffIds: config.rootfs?.diff_ids ?? [] };
        } catch (err) {
          if (EngineError.is(err, 'not-found')) return undefined;
          throw err;
        }
      },
      async restore(input) {
        const r = await images.commit({ parent: input.parent, config: input.config, createdBy: input.history.created_by ?? '', history: input.history, ...(input.layerDiffId ? { layerDiffId: input.layerDiffId as Digest } : {}) });
        return r.id;
      },
      async statPaths(image, paths) {
        const data = (await images.inspect(image)).GraphDriver?.Data ?? {};
        const layers = [data.UpperDir, ...(data.LowerDir ? data.LowerDir.split(':') : [])].filter((d): d is string => !!d);
        return statInLayers(layers, paths);
      },
    },
    containers: {
      async create(spec) {
        const config: ContainerConfig = { ...spec.config, Image: spec.image, AttachStdout: true, AttachStderr: true, Labels: { ...(spec.config.Labels ?? {}), ...spec.labels } };
        const r = await containers.create(
          {
            ...config,
            HostConfig: {
              NetworkMode: spec.networkMode,
              ExtraHosts: spec.extraHosts,
              ShmSize: spec.shmSize,
              Mounts: (spec.mounts ?? []).map((m) => ({ Type: m.type, Source: m.source, Target: m.target, ReadOnly: m.readOnly })),
            },
          },
          { name: spec.name },
        );
        return r.Id;
      },
      async run(id, onOutput, signal) {
        const onAbort = (): void => void containers.kill(id, 'SIGKILL').catch(() => undefined);
        signal?.addEventListener('abort', onAbort);
        try {
          // attached before the start, as `docker run` does, so no early output is missed
          const session = await containers.attach(id, { stream: true, stdout: true, stderr: true });
          await containers.start(id);
          for await (const chunk of session.output) onOutput(chunk.data);
          const r = await containers.wait(id, 'not-running');
          if (signal?.aborted) throw new EngineError('internal', 'the build was canceled');
          return r.StatusCode;
        } finally {
          signal?.removeEventListener('abort', onAbort);
        }
      },
      async copyInto(id, entries: CopyEntry[]) {
        const plain = entries.filter((e) => e.type !== 'archive');
        const named = new Set(plain.map((e) => e.path));
        const dirs = [...new Set(plain.flatMap((e) => parents(e.path)))].filter((d) => !named.has(d));
        await ensureDirs(id, dirs);
        if (plain.length) {
          await containers.archivePut(id, '/', tarOf(plain.map((e) => ({
            name: e.type === 'dir' ? `${e.path.slice(1)}/` : e.path.slice(1),
            type: e.type === 'dir' ? 'directory' : e.type === 'symlink' ? 'symlink' : 'file',
            mode: e.mode, uid: e.uid, gid: e.gid, size: e.type !== 'file' ? 0 : e.content ? e.content.length : (e.size ?? 0), linkname: e.linkname, mtime: e.mtime,
            body: e.type !== 'file' ? undefined : e.content ? async function* () { yield e.content!; } : e.open,
          }))), {});
        }
        for (const a of entries.filter((e) => e.type === 'archive')) {
          await ensureDirs(id, [...parents(`${a.path}/x`)]);
          const stream = await decompress(createReadStream(a.hostPath!));
          await containers.archivePut(id, a.path, stream, {});
        }
      },
      async copyFromImage(id, req: CopyFromImage) {
        const src = (await containers.create({ Image: req.image, Labels: req.labels, Cmd: ['true'] }, { name: req.name })).Id;
        try {
          if (req.destIsDir) await ensureDirs(id, [...parents(`${req.dest}/x`)]);
          else await ensureDirs(id, parents(req.dest));
          for (const path of req.sources) {
            const { stat: st, tar } = await containers.archiveGet(src, path);
            const isDir = (st.mode & 0x80000000) !== 0;
            const base = st.name;
            const rebase = (name: string): string | undefined => {
              const clean = name.replace(/\/+$/, '');
              const rel = clean === base ? '' : clean.startsWith(`${base}/`) ? clean.slice(base.length + 1) : undefined;
              if (rel === undefined) return undefined;
              if (isDir) return rel === '' ? undefined : posix.join(req.dest, rel).slice(1);
              return (req.destIsDir ? posix.join(req.dest, base) : req.dest).slice(1);
            };
            const out = Readable.from((async function* () {
              for await (const e of readTar(tar)) {
                const name = rebase(e.header.name);
                if (name === undefined) {
                  for await (const _ of e.body()) void _;
                  continue;
                }
                const h = e.header;
                const linkname = h.type === 'link' ? rebase(h.linkname) ?? h.linkname : h.linkname;
                const mode = req.chmod !== undefined && h.type !== 'symlink' ? req.chmod : h.mode;
                yield encodeHeader({ ...h, name: h.type === 'directory' ? `${name}/` : name, linkname, mode, uid: req.owner?.uid ?? h.uid, gid: req.owner?.gid ?? h.gid });
                if (h.type === 'file') {
                  for await (const c of e.body()) yield c;
                  yield padding(h.size);
                } else for await (const _ of e.body()) void _;
              }
              yield END_OF_ARCHIVE;
            })());
            try {
              await containers.archivePut(id, '/', out, {});
            } finally {
              tar.destroy();
            }
          }
        } finally {
          await containers.remove(src, { force: true, volumes: true }).catch(() => undefined);
        }
      },
      async exportPath(image, path, hostDir, c) {
        const src = (await containers.create({ Image: image, Labels: c.labels, Cmd: ['true'] }, { name: c.name })).Id;
        try {
          const { stat: st, tar } = await containers.archiveGet(src, path);
          await mkdir(hostDir, { recursive: true, mode: 0o700 });
          try {
            await extractTar(tar, hostDir);
          } finally {
            tar.destroy();
          }
          return join(hostDir, st.name);
        } finally {
          await containers.remove(src, { force: true, volumes: true }).catch(() => undefined);
        }
      },
      async readFile(id, path) {
        let got: Awaited<ReturnType<typeof containers.archiveGet>>;
        try {
          got = await containers.archiveGet(id, path);
        } catch (err) {
          if (EngineError.is(err, 'not-found')) return undefined;
          throw err;
        }
        // read to the end: the container's filesystem stays mounted until the tar is consumed
        let content: Buffer | undefined;
        try {
          for await (const e of readTar(got.tar)) {
            const parts: Buffer[] = [];
            for await (const c of e.body()) parts.push(c);
            if (e.header.type === 'file' && content === undefined) content = Buffer.concat(parts);
          }
        } finally {
          got.tar.destroy();
        }
        return content;
      },
      async mkdir(id, path, owner) {
        await ensureDirs(id, [...parents(`${path}/x`)], owner);
      },
      async commit(id, input) {
        return (await containers.commitLayer(id, { ...input, pause: false })).id;
      },
      async remove(id) {
        await containers.remove(id, { force: true, volumes: true });
      },
    },
  };
}

/**
 * `POST /build`: receive the context under the data root, run the Dockerfile through the
 * builder's dispatcher with the persistent cache, dispose the context whatever happens.
 */
export function createBuildBackend(dataRoot: string, ports: BuildPorts): BuildBackend {
  const cache = BuildCache.open(join(dataRoot, 'builder', 'cache.json'));
  // berth's incremental contexts; under builder/tmp, wiped at boot (build-sweep.ts): their index is in memory
  const synced = new SyncedContexts(join(dataRoot, 'builder', 'tmp', 'synced'));
  return {
    async syncContext(req) {
      return synced.sync(req);
    },
    async build(body, req, progress, signal) {
      const t = span('build');
      const workDir = join(dataRoot, 'builder', 'tmp');
      const ctx = req.contextSession
        ? await synced.assemble(req.contextSession, body, { workDir, dockerfile: req.dockerfile })
        : await receiveContext(body, { workDir, dockerfile: req.dockerfile });
      t.mark('context');
      try {
        return await runBuild(ports, await cache, ctx, {
          tags: req.tags,
          buildArgs: req.buildArgs,
          target: req.target,
          noCache: req.noCache,
          pull: req.pull,
          labels: req.labels,
          rm: req.rm,
          forceRm: req.forceRm,
          networkMode: req.networkMode,
          platform: req.platform,
          shmSize: req.shmSize,
          extraHosts: req.extraHosts,
          cacheFrom: req.cacheFrom,
          secrets: req.secrets,
          cacheMountRoot: join(dataRoot, 'builder', 'cache-mounts'),
          signal,
        }, progress).finally(() => t.mark('steps'));
      } finally {
        await ctx.dispose();
        t.mark('dispose');
        t.end();
      }
    },
    async prune() {
      const deleted = await (await cache).prune();
      const mounts = join(dataRoot, 'builder', 'cache-mounts');
      const reclaimed = await dirBytes(mounts);
      await rm(mounts, { recursive: true, force: true });
      return { CachesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
    },
  };
}

/** Bytes of the files under `dir` (RUN --mount=type=cache directories). */
async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  for (const e of entries) {
    if (!e.isFile()) continue;
    total += (await lstat(join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)).catch(() => ({ size: 0 }))).size;
  }
  return total;
}
