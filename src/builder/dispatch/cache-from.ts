import type { ContainerConfig } from '../../api/types.js';
import type { BuildImages, HistoryStep, ImageChain } from './ports.js';

/** Two history entries alike (Docker compares them field by field). */
function sameStep(a: HistoryStep, b: HistoryStep): boolean {
  return (a.created ?? '') === (b.created ?? '') && (a.created_by ?? '') === (b.created_by ?? '') && (a.author ?? '') === (b.author ?? '') &&
    (a.comment ?? '') === (b.comment ?? '') && (a.empty_layer ?? false) === (b.empty_layer ?? false);
}

/** Whether `img` continues `parent`: its history and layers start with the parent's, and it has more history. */
function continues(img: ImageChain, parent: ImageChain | undefined): boolean {
  if (!img.history.length) return false;
  if (!parent || (!parent.history.length && !parent.diffIds.length)) return true;
  if (parent.history.length >= img.history.length || parent.diffIds.length > img.diffIds.length) return false;
  return parent.history.every((h, i) => sameStep(h, img.history[i]!)) && parent.diffIds.every((d, i) => d === img.diffIds[i]);
}

/** The DiffID of the layer history entry `index` made, undefined for an empty one. */
function layerAt(img: ImageChain, index: number): string | undefined {
  if (img.history[index]?.empty_layer) return undefined;
  const n = img.history.slice(0, index).filter((h) => !h.empty_layer).length;
  return img.diffIds[n];
}

/**
 * The classic builder's `--cache-from` (cachefrom): images named there (built elsewhere,
 * pulled or loaded) are cache candidates by their history. A step hits when the image so far
 * is a prefix of a candidate's history and layers, and the candidate's next entry was made by
 * the same instruction (`created_by`). The hit is the candidate itself at its last entry,
 * else an image made of that one entry (and its layer) on the current image; from then on
 * only that candidate is followed. A step found in berth's own cache is used only when its
 * image is an ancestor of a candidate (Docker's rule), so a build with `--cache-from` follows
 * the candidates.
 *
 * @example const cf = await CacheFrom.open(ports.images, ['app:latest']); const id = await cf?.match(parent, createdBy, config);
 */
export class CacheFrom {
  private constructor(
    private readonly images: Required<Pick<BuildImages, 'chainOf' | 'restore'>>,
    private sources: ImageChain[],
  ) {}

  /** Undefined without sources (none named, none found, or an image service without chains). */
  static async open(images: BuildImages, refs: string[]): Promise<CacheFrom | undefined> {
    if (!refs.length || !images.chainOf || !images.restore) return undefined;
    const sources: ImageChain[] = [];
    for (const ref of refs) {
      // as dockerd: a name that does not resolve is skipped
      const img = await images.chainOf(ref).catch(() => undefined);
      if (img) sources.push(img);
    }
    return new CacheFrom({ chainOf: images.chainOf.bind(images), restore: images.restore.bind(images) }, sources);
  }

  /** Whether an image found in the local cache may be used: it is an ancestor of a candidate. */
  async allows(image: string): Promise<boolean> {
    for (const s of this.sources) {
      const seen = new Set<string>();
      for (let p = s.parent; p && !seen.has(p); p = (await this.images.chainOf(p))?.parent) {
        if (p === image) return true;
        seen.add(p);
      }
    }
    return false;
  }

  /** The image a step with history text `createdBy` on `parentId` gets from a candidate, if any. */
  async match(parentId: string | null, createdBy: string, config: ContainerConfig): Promise<string | undefined> {
    const parent = parentId ? await this.images.chainOf(parentId) : undefined;
    if (parentId && !parent) return undefined;
    const n = parent?.history.length ?? 0;
    for (const target of this.sources) {
      if (!continues(target, parent) || target.history[n]?.created_by !== createdBy) continue;
      if (target.history.length - 1 === n) return target.id;
      const id = await this.images.restore({ parent: parentId, config, history: target.history[n]!, layerDiffId: layerAt(target, n) });
      this.sources = [target]; // as dockerd: no jumping between candidates afterwards
      return id;
    }
    return undefined;
  }
}
