import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { sha256 } from '../../shared/digest.js';

/**
 * What identifies a build step for the cache: its parent image, the instruction after
 * expansion, the args it sees and, for COPY/ADD, the digests of the files it reads.
 */
export interface StepProbe {
  parent: string | null;
  /** The instruction as written (for explanations). */
  original: string;
  /** The instruction after expansion, and anything else that decides its result. */
  text: string;
  /** Args the step's result depends on (part of the key). */
  keyArgs: Record<string, string>;
  /** Every arg visible to the step (only for explaining a miss). */
  args: Record<string, string>;
  /** Per-file digests of what COPY/ADD reads. */
  files?: Record<string, string>;
  /** Where the step sits (`<stage>:<instruction>`): only explanations use it. */
  slot?: string;
  /**
   * The history `created_by` the step writes, when that alone says what the step does (no
   * RUN mounts, no --chown/--chmod): what `--cache-from` candidates are matched on. Not part of the key.
   */
  createdBy?: string;
}

interface CacheEntry {
  image: string;
  parent: string | null;
  original: string;
  args: Record<string, string>;
  files?: Record<string, string>;
  slot?: string;
  /** Unix ms; newest entries explain misses. */
  at: number;
}

/** On-disk layout of `<dataRoot>/builder/cache.json`, drawn once here. */
interface CacheFile {
  schemaVersion: 1;
  entries: Record<string, CacheEntry>;
}

const MAX_LISTED = 5;

/** Entries of one step (same instruction, same place) that keep their per-file digests for explanations. */
const KEEP_FILES = 2;

const keys = new WeakMap<StepProbe, string>();

/** The cache key of a step (computed once per probe). */
export function stepKey(p: StepProbe): string {
  let k = keys.get(p);
  if (k === undefined) {
    const files = p.files ? sha256(JSON.stringify(Object.entries(p.files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))) : '';
    k = sha256(JSON.stringify([p.parent, p.text, Object.entries(p.keyArgs).sort(), files]));
    keys.set(p, k);
  }
  return k;
}

/**
 * The persistent build cache: step key -> image, shared by every build, kept in one JSON
 * file under the data root (written to a temporary file and renamed, so a crash leaves the
 * old or the new index, never half of one). Entries whose image is gone are ignored.
 *
 * @example
 *   const cache = await BuildCache.open('/var/lib/berth/builder/cache.json');
 *   const hit = cache.lookup(probe);
 *   if (!hit) { console.log(cache.explainMiss(probe)); ...; await cache.record(probe, id); }
 */
export class BuildCache {
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly data: CacheFile,
  ) {}

  static async open(path: string): Promise<BuildCache> {
    let data: CacheFile = { schemaVersion: 1, entries: {} };
    try {
      const parsed = JSON.parse(await readFile(path, 'utf8')) as CacheFile;
      if (parsed.schemaVersion === 1 && parsed.entries) data = parsed;
    } catch {
      // no index yet (or an unreadable one): start empty
    }
    return new BuildCache(path, data);
  }

  /** A fresh in-memory cache (tests). */
  static memory(): BuildCache {
    return new BuildCache('', { schemaVersion: 1, entries: {} });
  }

  lookup(p: StepProbe): string | undefined {
    return this.data.entries[stepKey(p)]?.image;
  }

  forget(p: StepProbe): void {
    delete this.data.entries[stepKey(p)];
  }

  /**
   * Remembers a step's image. A hit only refreshes the entry's time in memory (no write);
   * older entries of the same step drop their per-file digests, so the index stays small
   * however often a large COPY changes.
   */
  async record(p: StepProbe, image: string): Promise<void> {
    const key = stepKey(p);
    const known = this.data.entries[key];
    if (known?.image === image) {
      known.at = Date.now();
      return;
    }
    this.data.entries[key] = { image, parent: p.parent, original: p.original, args: p.args, files: p.files, slot: p.slot, at: Date.now() };
    if (p.files) {
      const older = Object.values(this.data.entries)
        .filter((e) => e.files && e.original === p.original && e.slot === p.slot)
        .sort((a, b) => b.at - a.at)
        .slice(KEEP_FILES);
      for (const e of older) delete e.files;
    }
    await this.persist();
  }

  /** `docker builder prune`: forgets every cached step; returns the step images it pointed at. */
  async prune(): Promise<string[]> {
    const images = [...new Set(Object.values(this.data.entries).map((e) => e.image))];
    this.data.entries = {};
    await this.persist();
    return images;
  }

  private async persist(): Promise<void> {
    if (!this.path) return;
    const snapshot = JSON.stringify(this.data);
    this.writing = this.writing.then(async () => {
      await mkdir(dirname(this.path), { recursive: true });
      const tmp = `${this.path}.tmp-${process.pid}`;
      await writeFile(tmp, snapshot);
      await rename(tmp, this.path);
    }).catch(() => undefined);
    await this.writing;
  }

  /**
   * Why a step missed, in one line: the files it reads that changed, a build arg that
   * changed, the instruction, or the parent image (an earlier step missed or FROM moved);
   * undefined for a step never built before.
   */
  explainMiss(p: StepProbe): string | undefined {
    const all = Object.values(this.data.entries).sort((a, b) => b.at - a.at);
    const sameParent = all.filter((e) => e.parent === p.parent);
    const same = sameParent.find((e) => e.original === p.original);
    const head = `cache miss: ${p.original}: `;
    if (same) {
      if (p.files && same.files) {
        const changed = changedPaths(same.files, p.files);
        if (changed.length > 0) {
          const listed = changed.slice(0, MAX_LISTED).join(', ') + (changed.length > MAX_LISTED ? ', ...' : '');
          return `${head}${changed.length} file${changed.length === 1 ? '' : 's'} changed: ${listed}`;
        }
      }
      const args = changedKeys(same.args, p.args);
      if (args.length === 1) return `${head}build arg ${args[0]} changed`;
      if (args.length > 1) return `${head}build args ${args.join(', ')} changed`;
      return `${head}instruction changed`;
    }
    if (p.slot !== undefined && sameParent.some((e) => e.slot === p.slot)) return `${head}instruction changed`;
    if (all.some((e) => e.original === p.original)) return `${head}parent changed`;
    return undefined;
  }
}

function changedPaths(before: Record<string, string>, after: Record<string, string>): string[] {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(after)) if (before[k] !== v) out.add(k);
  for (const k of Object.keys(before)) if (!(k in after)) out.add(k);
  return [...out].sort();
}

function changedKeys(before: Record<string, string>, after: Record<string, string>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((k) => before[k] !== after[k]).sort();
}
