import { sha256, type Digest } from '../../shared/digest.js';
import { EngineError, notFound } from '../../shared/errors.js';
import type { ProgressSink } from '../../images/image-service.js';
import type { ImageRecord, LayerRecord } from '../../images/image-index.js';
import { moveRefs } from '../../images/register-image.js';
import { familiarName, fullString, parseReference, repositoryName, type ImageReference } from '../../images/reference.js';
import { basicCredentials, decodeAuthHeader } from './auth-config.js';
import { uploadBlob } from './blob-uploader.js';
import type { ClientState } from './client-state.js';
import type { RegistryContent, RegistryImages } from './content-deps.js';
import type { ImageManifest } from './descriptors.js';
import { knownPushBlob, type PushBlob } from './layer-compressor.js';
import { uploadCompressed } from './compressed-upload.js';
import { runLimited } from './limit.js';
import { isManifestType, MEDIA } from './media-types.js';
import { ItemProgress, shortId } from './progress.js';
import { responseError } from './registry-errors.js';
import { RegistrySession } from './registry-session.js';
import { compareStrings } from '../../shared/compare.js';

/** Everything a pusher is built from. */
export interface PusherDeps {
  content: RegistryContent;
  images: RegistryImages;
  state: ClientState;
  insecureRegistries?: readonly string[];
  /** Parallel layer uploads (5, as dockerd). */
  concurrency?: number;
}

interface PlanLayer {
  /** Known before upload; undefined for a plain layer that is gzipped while it uploads. */
  blob?: PushBlob;
  layer?: LayerRecord;
  id: string;
}

interface PushPlan {
  /** Set when a stored manifest is reused; otherwise built once every layer blob is known. */
  manifest?: Buffer;
  mediaType: string;
  config: PushBlob;
  layers: PlanLayer[];
}

/**
 * `docker push`: for each tag, make every layer and the config present in the repository
 * (HEAD, cross-repo mount, or streamed upload; plain layers gzipped once and cached), then
 * PUT the manifest and record the RepoDigest. Progress messages are dockerd's.
 *
 * @example
 *   await new RegistryPusher({ content, images, state }).push({ name: '127.0.0.1:5000/x', tag: 'latest' }, {}, sink);
 */
export class RegistryPusher {
  constructor(private readonly deps: PusherDeps) {}

  async push(target: { name: string; tag?: string }, opts: { authConfig?: string }, progress: ProgressSink): Promise<void> {
    const ref = parseReference(target.name);
    if (target.tag) ref.tag = target.tag;
    const repoFull = repositoryName(ref);
    progress({ status: `The push refers to repository [${repoFull}]` });
    const jobs = this.tagsToPush(ref);
    const auth = decodeAuthHeader(opts.authConfig);
    const session = new RegistrySession({ domain: ref.domain, auth, insecureRegistries: this.deps.insecureRegistries });
    try {
      for (const { tag, rec } of jobs) await this.pushOne(session, ref, tag, rec, progress);
    } catch (err) {
      if (EngineError.is(err, 'unauthorized') && !basicCredentials(auth) && session.authChallenge?.scheme === 'basic') {
        throw new EngineError('unauthorized', 'no basic auth credentials', { cause: err });
      }
      throw err;
    }
  }

  private tagsToPush(ref: ImageReference): { tag: string; rec: ImageRecord }[] {
    const idx = this.deps.images.index;
    if (ref.tag) {
      const rec = idx.byReference(fullString(ref));
      if (!rec) {
        const prefix = `${repositoryName(ref)}:`;
        const repoKnown = idx.all().some((r) => r.repoTags.some((t) => t.startsWith(prefix)));
        throw notFound(repoKnown ? `tag does not exist: ${familiarName(ref)}:${ref.tag}` : `An image does not exist locally with the tag: ${familiarName(ref)}`);
      }
      return [{ tag: ref.tag, rec }];
    }
    const prefix = `${repositoryName(ref)}:`;
    const out: { tag: string; rec: ImageRecord }[] = [];
    for (const rec of idx.all()) for (const t of rec.repoTags) if (t.startsWith(prefix)) out.push({ tag: t.slice(prefix.length), rec });
    if (!out.length) throw notFound(`An image does not exist locally with the tag: ${familiarName(ref)}`);
    return out.sort((a, b) => compareStrings(a.tag, b.tag));
  }

  /** Reuses a stored manifest of this image (e.g. from its pull) when all its blobs are here. */
  private async storedPlan(rec: ImageRecord): Promise<PushPlan | undefined> {
    const { content } = this.deps;
    for (const m of rec.manifests) {
      if (!isManifestType(m.mediaType) || !(await content.has(m.digest))) continue;
      const bytes = await content.readBuffer(m.digest);
      const man = JSON.parse(bytes.toString('utf8')) as ImageManifest;
      if (man.config?.digest !== rec.id || man.layers?.length !== rec.layers.length) continue;
      let ok = true;
      for (const l of man.layers) if (!(await content.has(l.digest))) ok = false;
      if (!ok) continue;
      return {
        manifest: bytes,
        mediaType: m.mediaType,
        config: { digest: man.config.digest, size: man.config.size, mediaType: man.config.mediaType },
        layers: man.layers.map((l, i) => ({ blob: { digest: l.digest, size: l.size, mediaType: l.mediaType }, layer: rec.layers[i], id: shortId(rec.layers[i]!.diffId) })),
      };
    }
    return undefined;
  }

  private async buildPlan(rec: ImageRecord, progress: ProgressSink): Promise<PushPlan> {
    const stored = await this.storedPlan(rec);
    if (stored) {
      for (const l of stored.layers) new ItemProgress(progress, l.id).status('Preparing');
      return stored;
    }
    const { content, state } = this.deps;
    const layers: PlanLayer[] = [];
    for (const l of rec.layers) new ItemProgress(progress, shortId(l.diffId)).status('Preparing');
    for (const l of rec.layers) layers.push({ blob: await knownPushBlob(l, content, state), layer: l, id: shortId(l.diffId) });
    const info = await content.info(rec.id);
    if (!info) throw new EngineError('internal', `failed to push: config blob ${rec.id} is missing`);
    return { mediaType: MEDIA.dockerManifest, config: { mediaType: MEDIA.dockerConfig, size: info.size, digest: rec.id }, layers };
  }

  /** The Docker schema 2 manifest of a plan whose layer blobs are all known. */
  private manifestOf(plan: PushPlan): Buffer {
    const doc = {
      schemaVersion: 2,
      mediaType: MEDIA.dockerManifest,
      config: plan.config,
      layers: plan.layers.map(({ blob }) => ({ mediaType: blob!.mediaType.includes('oci') ? MEDIA.dockerLayerGzip : blob!.mediaType, size: blob!.size, digest: blob!.digest })),
    };
    return Buffer.from(JSON.stringify(doc, null, 3));
  }

  private async pushOne(session: RegistrySession, ref: ImageReference, tag: string, rec: ImageRecord, progress: ProgressSink): Promise<void> {
    const { content, state } = this.deps;
    const plan = await this.buildPlan(rec, progress);
    const repoFull = repositoryName(ref);
    const sameRegistry = (src: string): string | undefined => (src.startsWith(`${ref.domain}/`) ? src.slice(ref.domain.length + 1) : undefined);
    const key = (l: PlanLayer): string => l.blob?.digest ?? l.layer!.diffId;
    const unique = plan.layers.filter((l, i) => plan.layers.findIndex((x) => key(x) === key(l)) === i);
    for (const l of unique) new ItemProgress(progress, l.id).status('Waiting');
    await runLimited(unique, this.deps.concurrency ?? 5, async (l) => {
      const p = new ItemProgress(progress, l.id);
      if (!l.blob) {
        const blob = await uploadCompressed({ session, repo: ref.path, layer: l.layer!, onBytes: (c, t) => p.bytes('Pushing', c, t, c === t) }, content, state);
        for (const x of plan.layers) if (key(x) === key(l)) x.blob = blob;
        state.addSource(blob.digest, repoFull);
        p.status('Pushed');
        return;
      }
      const mountFrom = state.sources(l.blob.digest).map(sameRegistry).filter((x): x is string => !!x);
      const r = await uploadBlob({ session, repo: ref.path, blob: l.blob, mountFrom, onBytes: (c, t) => p.bytes('Pushing', c, t, c === t) }, content);
      state.addSource(l.blob.digest, repoFull);
      if (r.kind === 'exists') p.status('Layer already exists');
      else if (r.kind === 'mounted') p.status(`Mounted from ${r.from}`);
      else p.status('Pushed');
    });
    await uploadBlob({ session, repo: ref.path, blob: plan.config }, content);
    plan.manifest ??= this.manifestOf(plan);
    const res = await session.request(`/v2/${ref.path}/manifests/${tag}`, {
      method: 'PUT',
      body: plan.manifest,
      headers: { 'Content-Type': plan.mediaType, 'Content-Length': plan.manifest.length },
      scopes: [`repository:${ref.path}:pull,push`],
    });
    if (res.statusCode !== 201 && res.statusCode !== 200) throw await responseError(res);
    res.resume();
    const digest = sha256(plan.manifest);
    await content.put(plan.manifest, digest);
    await this.recordDigest(rec.id, `${repoFull}@${digest}`, { digest, mediaType: plan.mediaType, size: plan.manifest.length });
    void state.save();
    progress({ status: `${tag}: digest: ${digest} size: ${plan.manifest.length}` });
    progress({ progressDetail: {}, aux: { Tag: tag, Digest: digest, Size: plan.manifest.length } });
  }

  private async recordDigest(id: Digest, digestRef: string, manifest: { digest: Digest; mediaType: string; size: number }): Promise<void> {
    const idx = this.deps.images.index;
    const rec = idx.get(id);
    const recorded = rec?.repoDigests.includes(digestRef) && rec.manifests.some((m) => m.digest === manifest.digest);
    if (recorded && !idx.all().some((r) => r.id !== id && r.repoDigests.includes(digestRef))) return; // a re-push: nothing to write
    await this.deps.images.index.update((images) => {
      const rec = images.get(id);
      if (!rec) return;
      moveRefs(images, id, [digestRef], 'repoDigests');
      if (!rec.manifests.some((m) => m.digest === manifest.digest)) rec.manifests.push(manifest);
    });
  }
}
