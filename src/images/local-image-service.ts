import type { Readable } from 'node:stream';
import type { ImageDeleteItem, ImageHistoryItem, ImageInspect, ImageSummary } from '../api/types.js';
import type { Filters } from '../shared/filters.js';
import { invalid, notFound } from '../shared/errors.js';
import type { ImageService, ProgressSink, ResolvedImage } from './image-service.js';
import type { ImageServiceDeps } from './deps.js';
import { ImageIndex, type ImageRecord } from './image-index.js';
import { createdUnix, diffIdsOf, parseImageConfig, type ImageConfigJSON } from './image-config.js';
import { isImageIdPrefix, resolveRecord } from './image-resolver.js';
import { familiar, toHistory, toInspect, toSummary } from './image-views.js';
import { checkListFilters, checkPruneFilters, danglingFilter, familiarMatch, matchesCommon, type ImageFilterCtx } from './image-filters.js';
import { removeImage } from './image-remove.js';
import { loadArchive } from './archive-load.js';
import { saveImages } from './archive-save.js';
import { importRootfs, type ImportOptions } from './import-rootfs.js';
import { commitImage, type CommitImageInput, type CommitImageResult } from './commit-image.js';
import { moveRefs, registerImage, type RegisterImageInput, type RegisterImageResult } from './register-image.js';
import { familiarString, fullString, parseReference, validateTag, withDefaultTag } from './reference.js';
import { chainIds } from './unpack.js';
import { collectGarbage, type GarbageReport } from './image-gc.js';
import { isoTime } from '../shared/iso-time.js';

/**
 * ImageService over the content store, the overlay snapshotter and the image index.
 *
 * @example
 *   const images = await LocalImageService.open({ root: '/var/lib/berth/images', content, snapshotter, archive, usage });
 *   await images.load(fs.createReadStream('busybox.tar'), (m) => process.stderr.write(m.stream ?? ''));
 *   const img = await images.resolve('busybox'); // { id, topChainId, config, ... }
 */
export class LocalImageService implements ImageService {
  private readonly configs = new Map<string, ImageConfigJSON>();

  private constructor(
    private readonly deps: ImageServiceDeps,
    readonly index: ImageIndex,
  ) {}

  static async open(deps: ImageServiceDeps): Promise<LocalImageService> {
    return new LocalImageService(deps, await ImageIndex.open(deps.root));
  }

  /** The parsed config of an image (cached; configs are immutable). */
  async configOf(id: string): Promise<ImageConfigJSON> {
    let cfg = this.configs.get(id);
    if (!cfg) {
      cfg = parseImageConfig(await this.deps.content.readBuffer(id as `sha256:${string}`));
      this.configs.set(id, cfg);
    }
    return cfg;
  }

  /** The parent image ID while that image exists ('' otherwise). */
  private parentOf(rec: ImageRecord): string {
    return rec.parent && this.index.get(rec.parent) ? rec.parent : '';
  }

  /** The index record a user string names (throws `No such image: ...`). */
  record(ref: string): ImageRecord {
    return resolveRecord(this.index, ref);
  }

  /** For the registry pull: publish an image whose blobs are all stored (unpacks first). */
  registerImage(input: RegisterImageInput): Promise<RegisterImageResult> {
    return registerImage(this.deps, this.index, input);
  }

  async list(opts: { all?: boolean; filters?: Filters; digests?: boolean }): Promise<ImageSummary[]> {
    const filters = opts.filters ?? new Map<string, string[]>();
    checkListFilters(filters);
    const dangling = danglingFilter(filters);
    const patterns = filters.get('reference') ?? [];
    const recs = this.index.all();
    for (const r of recs) await this.configOf(r.id);
    const ctx = this.filterCtx();
    const out: ImageSummary[] = [];
    const parents = new Set(recs.map((r) => r.parent));
    for (const rec of recs) {
      if (!matchesCommon(rec, filters, ctx)) continue;
      const isDangling = rec.repoTags.length === 0;
      // an untagged image with children (a commit's or build step's parent) is intermediate: `-a` only, as dockerd
      if (isDangling && parents.has(rec.id) && (!opts.all || dangling === true)) continue;
      if (dangling === true && !isDangling) continue;
      if (dangling === false && isDangling) continue;
      let tags = rec.repoTags;
      if (patterns.length) {
        tags = tags.filter((t) => patterns.some((p) => familiarMatch(p, t)));
        if (tags.length === 0) continue;
      }
      out.push(toSummary(rec, this.configs.get(rec.id)!, tags.map(familiar), this.parentOf(rec)));
    }
    return out.sort((a, b) => b.Created - a.Created);
  }

  private filterCtx(): ImageFilterCtx {
    return {
      configOf: (rec) => this.configs.get(rec.id)!,
      createdOf: (ref) => createdUnix(this.configs.get(resolveRecord(this.index, ref).id)?.created),
    };
  }

  async inspect(ref: string): Promise<ImageInspect> {
    const rec = this.record(ref);
    const cfg = await this.configOf(rec.id);
    const top = chainIds(diffIdsOf(cfg)).at(-1);
    let graph: Record<string, string> = {};
    if (top) graph = await this.deps.snapshotter.graphData(top).catch(() => ({}));
    return toInspect(rec, cfg, graph, this.parentOf(rec));
  }

  async resolve(ref: string): Promise<ResolvedImage> {
    const rec = this.record(ref);
    const cfg = await this.configOf(rec.id);
    let reference = rec.id as string;
    if (!isImageIdPrefix(rec.id, ref)) reference = familiarString(withDefaultTag(parseReference(ref)));
    return {
      id: rec.id,
      reference,
      config: cfg.config ?? {},
      topChainId: chainIds(diffIdsOf(cfg)).at(-1) ?? null,
      os: cfg.os ?? 'linux',
      architecture: cfg.architecture ?? '',
    };
  }

  /** The image's stored config JSON and its recorded parent (a build's `--cache-from` walks history chains). */
  async imageConfig(ref: string): Promise<{ id: string; parent?: string; config: ImageConfigJSON }> {
    const rec = this.record(ref);
    return { id: rec.id, ...(rec.parent ? { parent: rec.parent } : {}), config: await this.configOf(rec.id) };
  }

  async history(ref: string): Promise<ImageHistoryItem[]> {
    const rec = this.record(ref);
    return toHistory(rec, await this.configOf(rec.id), (id) => this.index.get(id));
  }

  async tag(source: string, repo: string, tag?: string): Promise<void> {
    const rec = this.record(source);
    const ref = parseReference(repo);
    if (ref.digest !== undefined) throw invalid('refusing to create a tag with a digest reference');
    if (ref.path === 'sha256' || ref.path.endsWith('/sha256')) throw invalid('refusing to create an ambiguous tag using digest algorithm as name');
    if (tag) ref.tag = validateTag(tag);
    const full = fullString(withDefaultTag(ref));
    await this.index.update((images) => {
      if (!images.has(rec.id)) throw notFound(`No such image: ${source}`);
      moveRefs(images, rec.id, [full], 'repoTags');
      images.get(rec.id)!.lastTagTime = isoTime();
    });
  }

  async remove(ref: string, opts: { force?: boolean; noprune?: boolean }): Promise<ImageDeleteItem[]> {
    return (await removeImage(this.deps, this.index, ref, opts.force ?? false, !opts.noprune)).items;
  }

  load(tar: Readable, progress: ProgressSink): Promise<void> {
    return loadArchive(this.deps, this.index, tar, progress);
  }

  save(refs: string[]): Promise<Readable> {
    return saveImages(this.deps, this.index, refs);
  }

  importRootfs(src: Readable, opts: ImportOptions, progress: ProgressSink): Promise<string> {
    return importRootfs(this.deps, this.index, src, opts, progress);
  }

  /**
   * A new image from a parent image plus one layer tar (docker commit, a build step); see
   * commit-image.ts. Tags in `input.tags` are fully qualified.
   */
  commit(input: CommitImageInput): Promise<CommitImageResult> {
    return commitImage(this.deps, this.index, input);
  }

  /** Drops orphaned layer snapshots (and unreferenced blobs with `blobs`); see image-gc.ts. */
  collectGarbage(opts: { blobs?: boolean } = {}): Promise<GarbageReport> {
    return collectGarbage(this.deps, this.index, opts);
  }

  async prune(opts: { filters?: Filters }): Promise<{ ImagesDeleted: ImageDeleteItem[] | null; SpaceReclaimed: number }> {
    const filters = opts.filters ?? new Map<string, string[]>();
    checkPruneFilters(filters);
    const danglingOnly = danglingFilter(filters) ?? true;
    for (const r of this.index.all()) await this.configOf(r.id);
    const ctx = this.filterCtx();
    const candidates = this.index
      .all()
      .filter((r) => !this.deps.usage?.(r.id) && (!danglingOnly || r.repoTags.length === 0) && matchesCommon(r, filters, ctx));
    const deleted: ImageDeleteItem[] = [];
    let reclaimed = 0;
    for (const rec of candidates) {
      try {
        const r = await removeImage(this.deps, this.index, rec.id, true);
        deleted.push(...r.items);
        reclaimed += r.reclaimed;
      } catch {
        /* skipped, as Docker does for images it cannot delete */
      }
    }
    return { ImagesDeleted: deleted.length ? deleted : null, SpaceReclaimed: reclaimed };
  }
}
