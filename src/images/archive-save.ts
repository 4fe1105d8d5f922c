import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { sha256, hexOf, type Digest } from '../shared/digest.js';
import type { ImageServiceDeps } from './deps.js';
import type { ImageIndex, ImageRecord, LayerRecord } from './image-index.js';
import { isImageIdPrefix, resolveRecord } from './image-resolver.js';
import { familiarName, familiarString, fullString, parseReference, repositoryName, withDefaultTag, type ImageReference } from './reference.js';

const EPOCH = new Date(0);

interface SaveItem {
  rec: ImageRecord;
  /** Fully qualified tags to write for this image. */
  tags: string[];
}

/** Docker's save name rules: `repo` = every tag of that repo, `repo:tag` one tag, an ID none. */
export function selectImages(index: ImageIndex, refs: readonly string[]): SaveItem[] {
  const items = new Map<string, SaveItem>();
  const add = (rec: ImageRecord, tag?: string): void => {
    const it = items.get(rec.id) ?? { rec, tags: [] };
    if (tag && !it.tags.includes(tag)) it.tags.push(tag);
    items.set(rec.id, it);
  };
  for (const ref of refs) {
    let parsed: ImageReference | undefined;
    try {
      parsed = parseReference(ref);
    } catch {
      parsed = undefined; // an ID (prefix) or junk: resolveRecord decides
    }
    if (parsed && parsed.tag === undefined && parsed.digest === undefined) {
      const repo = repositoryName(parsed);
      let found = false;
      for (const r of index.all()) {
        for (const t of r.repoTags) {
          if (repositoryName(parseReference(t)) === repo) {
            add(r, t);
            found = true;
          }
        }
      }
      if (found) continue;
    }
    const rec = resolveRecord(index, ref);
    if (!parsed || isImageIdPrefix(rec.id, ref) || parsed.digest !== undefined) add(rec);
    else add(rec, fullString(withDefaultTag(parsed)));
  }
  return [...items.values()];
}

/** Rejects once the pack is closed or destroyed (consumer went away), so producers never hang. */
function closedSignal(pack: tar.Pack): Promise<never> {
  const p = new Promise<never>((_, reject) => {
    const fail = (): void => reject(new Error('save stream closed by the reader'));
    pack.once('close', fail);
    pack.once('error', fail);
  });
  p.catch(() => undefined);
  return p;
}

const guards = new WeakMap<tar.Pack, Promise<never>>();
function guard<T>(pack: tar.Pack, p: Promise<T>): Promise<T> {
  let g = guards.get(pack);
  if (!g) guards.set(pack, (g = closedSignal(pack)));
  return Promise.race([p, g]);
}

async function writeEntry(pack: tar.Pack, name: string, data: Buffer): Promise<void> {
  await guard(pack, new Promise<void>((resolve, reject) => pack.entry({ name, size: data.length, mtime: EPOCH, mode: 0o644 }, data, (err) => (err ? reject(err) : resolve()))));
}

async function streamEntry(pack: tar.Pack, name: string, size: number, src: Readable): Promise<void> {
  const done = new Promise<void>((resolve, reject) => {
    const w = pack.entry({ name, size, mtime: EPOCH, mode: 0o644 }, (err) => (err ? reject(err) : resolve()));
    (async () => {
      for await (const chunk of src) {
        if (!w.write(chunk as Buffer)) await guard(pack, new Promise<void>((r) => w.once('drain', () => r())));
      }
      w.end(Buffer.alloc(0));
    })().catch((err) => {
      src.destroy();
      w.destroy(err);
      reject(err);
    });
  });
  await guard(pack, done);
}

/** Writes one layer as an uncompressed tar named by its DiffID; returns its size. */
async function writeLayer(deps: ImageServiceDeps, tmpDir: string, pack: tar.Pack, l: LayerRecord): Promise<number> {
  const name = `blobs/sha256/${hexOf(l.diffId)}`;
  if (l.digest === l.diffId) {
    await streamEntry(pack, name, l.size, await deps.content.createReadStream(l.digest));
    return l.size;
  }
  const tmp = path.join(tmpDir, `save-${randomBytes(6).toString('hex')}.tar`);
  try {
    const plain = await deps.archive.decompress(await deps.content.createReadStream(l.digest));
    await pipeline(plain, createWriteStream(tmp));
    const { size } = await fsp.stat(tmp);
    await streamEntry(pack, name, size, createReadStream(tmp));
    return size;
  } finally {
    await fsp.rm(tmp, { force: true });
  }
}

async function produce(deps: ImageServiceDeps, tmpDir: string, items: SaveItem[], pack: tar.Pack): Promise<void> {
  const dir = (name: string): Promise<void> =>
    guard(pack, new Promise((resolve, reject) => pack.entry({ name, type: 'directory', mtime: EPOCH, mode: 0o755 }, (err) => (err ? reject(err) : resolve()))));
  await dir('blobs/');
  await dir('blobs/sha256/');
  const written = new Set<string>();
  const layerSizes = new Map<string, number>();
  const manifestJson: unknown[] = [];
  const indexManifests: unknown[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  for (const { rec, tags } of items) {
    const config = await deps.content.readBuffer(rec.id);
    if (!written.has(rec.id)) {
      await writeEntry(pack, `blobs/sha256/${hexOf(rec.id)}`, config);
      written.add(rec.id);
    }
    const layers: { mediaType: string; digest: string; size: number }[] = [];
    for (const l of rec.layers) {
      let size = layerSizes.get(l.diffId);
      if (size === undefined) {
        size = await writeLayer(deps, tmpDir, pack, l);
        layerSizes.set(l.diffId, size);
      }
      layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: l.diffId, size });
    }
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: rec.id, size: config.length },
        layers,
      }),
    );
    const mdigest: Digest = sha256(manifest);
    if (!written.has(mdigest)) {
      await writeEntry(pack, `blobs/sha256/${hexOf(mdigest)}`, manifest);
      written.add(mdigest);
    }
    const desc = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: mdigest, size: manifest.length };
    if (tags.length === 0) indexManifests.push(desc);
    for (const t of tags) {
      const r = parseReference(t);
      indexManifests.push({ ...desc, annotations: { 'io.containerd.image.name': t, 'org.opencontainers.image.ref.name': r.tag ?? 'latest' } });
      const top = rec.layers[rec.layers.length - 1];
      if (top) (repositories[familiarName(r)] ??= {})[r.tag ?? 'latest'] = hexOf(top.diffId);
    }
    manifestJson.push({
      Config: `blobs/sha256/${hexOf(rec.id)}`,
      RepoTags: tags.length ? tags.map((t) => familiarString(parseReference(t))) : null,
      Layers: rec.layers.map((l) => `blobs/sha256/${hexOf(l.diffId)}`),
    });
  }
  const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: indexManifests };
  await writeEntry(pack, 'index.json', Buffer.from(JSON.stringify(index)));
  await writeEntry(pack, 'manifest.json', Buffer.from(JSON.stringify(manifestJson)));
  await writeEntry(pack, 'oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
  if (Object.keys(repositories).length) await writeEntry(pack, 'repositories', Buffer.from(JSON.stringify(repositories)));
  pack.finalize();
}

/**
 * `docker save`: a docker-archive tar that both Docker 20.10 (manifest.json, repositories)
 * and Docker 25+ (oci-layout, index.json) load. Layers are written uncompressed and
 * named by DiffID. Names are resolved before the stream starts (errors throw here).
 */
export async function saveImages(deps: ImageServiceDeps, index: ImageIndex, refs: readonly string[]): Promise<Readable> {
  const items = selectImages(index, refs);
  const release = index.leases.acquire(items.flatMap(({ rec }) => [rec.id, ...rec.layers.map((l) => l.digest)]));
  const pack = tar.pack();
  produce(deps, index.tmpDir, items, pack)
    .catch((err) => pack.destroy(err as Error))
    .finally(release);
  return pack as unknown as Readable;
}
