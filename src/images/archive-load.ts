import type { Readable } from 'node:stream';
import type { Digest } from '../shared/digest.js';
import { isDigest } from '../shared/digest.js';
import { EngineError, invalid } from '../shared/errors.js';
import type { ProgressSink } from './image-service.js';
import type { ImageServiceDeps } from './deps.js';
import type { ImageIndex } from './image-index.js';
import { goArch } from './image-config.js';
import { lookup, spoolArchive, type SpooledArchive, type SpooledFile } from './archive-spool.js';
import { prepareImage, publishImages, type BlobLayer, type PreparedImage, type RegisterImageInput } from './register-image.js';
import { familiarString, parseReference, fullString, withDefaultTag } from './reference.js';
import { familiar } from './image-views.js';

const MT = {
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
};

interface DockerManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

function parseJSON<T>(f: SpooledFile | undefined, what: string, content: ImageServiceDeps['content']): Promise<T> {
  if (!f) throw invalid(`invalid archive: ${what} is missing`);
  const read = f.kind === 'mem' ? Promise.resolve(f.data) : content.readBuffer(f.digest);
  return read.then((b) => {
    try {
      return JSON.parse(b.toString()) as T;
    } catch {
      throw invalid(`invalid archive: ${what} is not valid JSON`);
    }
  });
}

async function blobOf(archive: SpooledArchive, p: string, deps: ImageServiceDeps): Promise<BlobLayer & { compression?: string }> {
  const f = lookup(archive, p);
  if (!f) throw invalid(`invalid archive: ${p} is missing`);
  if (f.kind === 'blob') {
    const mediaType = f.compression === 'gzip' ? MT.dockerLayerGzip : f.compression === 'zstd' ? MT.ociLayerZstd : MT.dockerLayer;
    return { digest: f.digest, size: f.size, mediaType };
  }
  const digest = await deps.content.put(f.data);
  archive.added.push(digest);
  return { digest, size: f.data.length, mediaType: MT.dockerLayer };
}

function normalizeTag(t: string): string {
  const r = parseReference(t);
  if (r.digest !== undefined) throw invalid(`invalid tag ${JSON.stringify(t)}: digest references are not allowed`);
  return fullString(withDefaultTag(r));
}

/** manifest.json RepoTags must be name:tag (Docker: `invalid tag "x"`). */
function archiveTag(t: string): string {
  const r = parseReference(t);
  if (r.tag === undefined || r.digest !== undefined) throw invalid(`invalid tag ${JSON.stringify(t)}`);
  return fullString(r);
}

async function dockerArchiveInputs(archive: SpooledArchive, deps: ImageServiceDeps): Promise<RegisterImageInput[]> {
  const manifest = await parseJSON<DockerManifestEntry[]>(archive.files.get('manifest.json'), 'manifest.json', deps.content);
  if (!Array.isArray(manifest)) throw invalid('invalid archive: manifest.json is not a list');
  const out: RegisterImageInput[] = [];
  for (const m of manifest) {
    if (!m || typeof m.Config !== 'string' || !Array.isArray(m.Layers)) throw invalid('invalid archive: malformed manifest.json entry');
    const cf = lookup(archive, m.Config);
    if (!cf) throw invalid(`invalid archive: ${m.Config} is missing`);
    const config = cf.kind === 'blob' ? cf.digest : await deps.content.put(cf.data);
    if (cf.kind === 'mem') archive.added.push(config);
    const layers: BlobLayer[] = [];
    for (const l of m.Layers) layers.push(await blobOf(archive, l, deps));
    out.push({ config, layers, tags: (m.RepoTags ?? []).map(archiveTag) });
  }
  return out;
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  annotations?: Record<string, string>;
  platform?: { os?: string; architecture?: string };
}

async function readBlobJSON<T>(deps: ImageServiceDeps, d: string, what: string): Promise<T> {
  if (!isDigest(d) || !(await deps.content.has(d))) throw invalid(`invalid archive: ${what} blob ${d} is missing`);
  try {
    return JSON.parse((await deps.content.readBuffer(d)).toString()) as T;
  } catch {
    throw invalid(`invalid archive: ${what} blob ${d} is not valid JSON`);
  }
}

function nameFromAnnotations(a: Record<string, string> | undefined): string | undefined {
  const full = a?.['io.containerd.image.name'];
  if (full) return normalizeTag(full);
  const refName = a?.['org.opencontainers.image.ref.name'];
  if (refName && /[/:]/.test(refName)) {
    try {
      return normalizeTag(refName);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

async function ociLayoutInputs(deps: ImageServiceDeps, archive: SpooledArchive): Promise<RegisterImageInput[]> {
  const index = await parseJSON<{ manifests?: Descriptor[] }>(archive.files.get('index.json'), 'index.json', deps.content);
  const out: RegisterImageInput[] = [];
  for (const top of index.manifests ?? []) {
    let desc = top;
    if (desc.mediaType === MT.ociIndex || desc.mediaType === MT.dockerList) {
      const nested = await readBlobJSON<{ manifests?: Descriptor[] }>(deps, desc.digest, 'index');
      const list = nested.manifests ?? [];
      const host = list.find((d) => d.platform?.os === 'linux' && d.platform.architecture === goArch());
      if (!host && !list[0]) throw invalid(`invalid archive: index ${desc.digest} lists no manifests`);
      desc = { ...(host ?? list[0]!), annotations: top.annotations };
    }
    const man = await readBlobJSON<{ config?: Descriptor; layers?: Descriptor[]; mediaType?: string }>(deps, desc.digest, 'manifest');
    if (!man.config || !Array.isArray(man.layers)) throw invalid(`invalid archive: manifest ${desc.digest} is malformed`);
    const layers: BlobLayer[] = [];
    for (const l of man.layers) {
      if (!isDigest(l.digest) || !(await deps.content.has(l.digest))) throw invalid(`invalid archive: layer blob ${l.digest} is missing`);
      layers.push({ digest: l.digest, size: l.size ?? 0, mediaType: l.mediaType ?? MT.dockerLayer });
    }
    const name = nameFromAnnotations(top.annotations);
    out.push({
      config: man.config.digest as Digest,
      layers,
      manifests: [{ digest: desc.digest as Digest, mediaType: desc.mediaType ?? man.mediaType ?? '', size: desc.size ?? 0 }],
      tags: name ? [name] : [],
    });
  }
  return out;
}

/** Undoes a failed load: removes snapshots it committed and stored blobs no image references. */
async function rollback(deps: ImageServiceDeps, index: ImageIndex, added: Digest[], created: Digest[]): Promise<void> {
  for (const c of [...created].reverse()) await deps.snapshotter.remove(c).catch(() => undefined);
  const live = new Set<string>();
  for (const r of index.all()) {
    live.add(r.id);
    for (const l of r.layers) live.add(l.digest);
    for (const m of r.manifests) live.add(m.digest);
  }
  for (const d of added) if (!live.has(d)) await deps.content.delete(d).catch(() => undefined);
}

/**
 * `docker load`: a docker-archive (manifest.json) or OCI image layout (index.json) tar,
 * plain or compressed. All images are verified and unpacked before any becomes visible;
 * on error nothing is published and what the load stored is removed.
 */
export async function loadArchive(deps: ImageServiceDeps, index: ImageIndex, src: Readable, progress: ProgressSink): Promise<void> {
  const added: Digest[] = [];
  const releases: (() => void)[] = [];
  const prepared: PreparedImage[] = [];
  const created: Digest[] = [];
  let published: { id: Digest; moved: { ref: string; oldId: string }[] }[];
  try {
    const plain = await deps.archive.decompress(src);
    const archive = await spoolArchive(plain, deps.content, added, (d) => releases.push(index.leases.acquire([d])));
    let inputs: RegisterImageInput[];
    if (archive.files.has('manifest.json')) inputs = await dockerArchiveInputs(archive, deps);
    else if (archive.files.has('index.json')) inputs = await ociLayoutInputs(deps, archive);
    else throw invalid('invalid archive: neither manifest.json nor index.json found');
    for (const input of inputs) prepared.push(await prepareImage(deps, index, input, created));
    published = await publishImages(index, prepared);
  } catch (err) {
    await rollback(deps, index, added, created);
    if (EngineError.is(err)) throw err;
    throw EngineError.wrap('invalid-argument', 'failed to load image', err);
  } finally {
    for (const p of prepared) p.release();
    for (const r of releases) r();
  }
  for (let i = 0; i < prepared.length; i++) {
    const tags = prepared[i]!.input.tags ?? [];
    const { id, moved } = published[i]!;
    if (tags.length === 0) progress({ stream: `Loaded image ID: ${id}\n` });
    for (const t of tags) {
      for (const mv of moved.filter((x) => x.ref === t)) {
        progress({ stream: `The image ${familiar(t)} already exists, renaming the old one with ID ${mv.oldId} to empty string\n` });
      }
      progress({ stream: `Loaded image: ${familiarString(parseReference(t))}\n` });
    }
  }
}
