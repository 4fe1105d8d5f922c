import type { Readable } from 'node:stream';
import type { ContainerConfig } from '../api/types.js';
import { diffDirectory } from '../archive/index.js';
import { applyChanges } from '../images/changes.js';
import type { CommitImageInput, CommitImageResult } from '../images/commit-image.js';
import { familiarString, fullString, parseReference, validateTag, withDefaultTag } from '../images/reference.js';
import { EngineError, conflict, invalid } from '../shared/errors.js';
import { overlayChanges } from './changes.js';
import { mergeCommitConfig } from './commit-config.js';
import type { ContainerRecord } from './container-record.js';
import type { ServiceContext } from './service-context.js';
import { pauseContainer, unpauseContainer } from './stop.js';

/** `POST /commit` options (query parameters plus the optional config body). */
export interface CommitOptions {
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  /** Pause a running container while its layer is read (default true). */
  pause?: boolean;
  /** Dockerfile lines (CMD, ENV, ...) applied to the new image's config. */
  changes?: string[];
  /** Replaces the container's config as the base of the new image's (Docker's request body). */
  config?: ContainerConfig | null;
}

/** What a commit made: the image ID and the tag it got (familiar, '' when none). */
export interface CommitResult {
  id: string;
  imageRef: string;
}

/** `repo` + `tag` as dockerd's RepoTagReference: the tag to set (full and familiar) or none. */
export function commitTag(repo: string | undefined, tag: string | undefined): { full: string; familiar: string } | undefined {
  if (!repo) return undefined;
  const ref = parseReference(repo);
  if (ref.digest !== undefined) throw invalid('refusing to create a tag with a digest reference');
  if (tag) ref.tag = validateTag(tag);
  const tagged = withDefaultTag(ref);
  return { full: fullString(tagged), familiar: familiarString(tagged) };
}

/**
 * An overlay upper dir as one layer tar in Docker's layer format: the entries `docker diff`
 * reports against `lowers` (so the runtime's mount points and the files dockerd keeps in
 * its init layer stay out), whiteouts as `.wh.` files, opaque directories marked with
 * `.wh..wh..opq`, sorted; an upper dir without changes gives an empty tar.
 *
 * @example const tar = await upperLayer('/snapshots/12/fs', ['/snapshots/3/fs']);
 */
export async function upperLayer(upper: string, lowers: string[], mountStubs: string[] = []): Promise<Readable> {
  const changes = dropMountStubs(await overlayChanges(upper, lowers), mountStubs);
  return diffDirectory(upper, { only: new Set(changes.map((c) => c.Path)) });
}

/**
 * Without the files and directories the runtime made only as mount points (a build step's
 * secret or cache mount): each stub, and each parent it added that holds nothing else added.
 */
function dropMountStubs<T extends { Path: string; Kind: number }>(changes: T[], stubs: string[]): T[] {
  if (!stubs.length) return changes;
  const drop = new Set<string>();
  const under = (p: string, d: string): boolean => p === d || p.startsWith(`${d}/`);
  for (const stub of stubs) {
    const c = changes.find((x) => x.Path === stub);
    if (!c || c.Kind !== 1) continue;
    drop.add(stub);
    for (let d = stub.slice(0, stub.lastIndexOf('/')); d; d = d.slice(0, d.lastIndexOf('/'))) {
      const parent = changes.find((x) => x.Path === d);
      if (!parent || parent.Kind !== 1) break;
      if (changes.some((x) => under(x.Path, d) && x.Path !== d && ![...drop].some((k) => under(x.Path, k)))) break;
      drop.add(d);
    }
  }
  return changes.filter((c) => ![...drop].some((k) => under(c.Path, k)));
}

/** The container's changes as one layer tar (see upperLayer). */
export async function containerLayer(ctx: ServiceContext, rec: ContainerRecord, mountStubs: string[] = []): Promise<Readable> {
  let graph: Record<string, string>;
  try {
    graph = await ctx.deps.snapshots.graphData(rec.snapshotKey);
  } catch (err) {
    throw EngineError.wrap('internal', `failed to read the filesystem of container ${rec.id}`, err);
  }
  if (!graph.UpperDir) throw new EngineError('internal', `failed to read the filesystem of container ${rec.id}: no upper directory`);
  return upperLayer(graph.UpperDir, graph.LowerDir ? graph.LowerDir.split(':') : [], mountStubs);
}

/** What a layer commit takes besides the container: the new image's config, history and tags. */
export type CommitLayerInput = Omit<CommitImageInput, 'layer' | 'parent' | 'containerId'> & {
  /** Pause a running container while its layer is read (default true). */
  pause?: boolean;
  /** Mount targets whose stubs (made by the runtime, not the process) stay out of the layer. */
  mountStubs?: string[];
};

/**
 * The container's changes as one layer on the container's image, with `input.config` as the
 * new image's config exactly (no `--change` parsing, no merge): what `docker commit` does
 * after working out the config, and what a build step calls for its RUN container. Holds the
 * container's lock throughout; a running container is paused meanwhile unless `pause` is false.
 *
 * @example const { id } = await commitLayer(ctx, containerId, { config, createdBy: '/bin/sh -c make', pause: false });
 */
export async function commitLayer(ctx: ServiceContext, ref: string, input: CommitLayerInput): Promise<CommitImageResult> {
  const images = ctx.deps.images;
  if (!images.commit) throw new EngineError('not-implemented', 'commit is not implemented');
  const { pause, mountStubs, ...image } = input;
  const id = ctx.get(ref).id;
  return ctx.locks.run(id, async () => {
    const rec = ctx.get(id);
    const status = rec.state.status;
    if (status === 'removing') throw conflict(`You cannot commit container ${rec.id} which is being removed`);
    if (status === 'dead') throw conflict(`You cannot commit container ${rec.id} which is Dead`);
    // dockerd ignores a failed pause and commits the running container as it is
    const paused = pause !== false && status === 'running' && (await pauseContainer(ctx, rec).then(() => true, (err: unknown) => {
      ctx.log.warn('failed to pause container for commit', { id: rec.id, err });
      return false;
    }));
    try {
      return await images.commit!({ ...image, layer: await containerLayer(ctx, rec, mountStubs), parent: rec.image.id, containerId: rec.id });
    } finally {
      if (paused && rec.state.status === 'paused') {
        await unpauseContainer(ctx, rec);
      }
    }
  });
}

/**
 * `docker commit`: the new image's config is the container's (or the request's) with
 * `changes` applied, merged with the container's as dockerd does; the layer is the
 * container's changes (commitLayer); the image is tagged `repo:tag` when asked.
 *
 * @example await commitContainer(ctx, 'web', { repo: 'web-snapshot', changes: ['CMD ["x"]'] })
 */
export async function commitContainer(ctx: ServiceContext, ref: string, opts: CommitOptions): Promise<CommitResult> {
  const tag = commitTag(opts.repo, opts.tag);
  const rec = ctx.get(ref);
  const base = opts.config && Object.keys(opts.config).length ? opts.config : rec.config;
  const config = mergeCommitConfig(applyChanges(base, opts.changes ?? []), rec.config);
  const result = await commitLayer(ctx, rec.id, {
    config,
    containerConfig: rec.config,
    author: opts.author,
    comment: opts.comment,
    createdBy: (rec.config.Cmd ?? []).join(' '),
    tags: tag ? [tag.full] : [],
    pause: opts.pause,
  });
  return { id: result.id, imageRef: tag?.familiar ?? '' };
}
