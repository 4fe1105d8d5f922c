import type { Digest } from '../../shared/digest.js';
import { EngineError, invalid } from '../../shared/errors.js';
import type { ProgressSink } from '../../images/image-service.js';
import type { ManifestRecord } from '../../images/image-index.js';
import { familiarName, familiarString, fullString, parseReference, repositoryName, type ImageReference } from '../../images/reference.js';
import { basicCredentials, decodeAuthHeader } from './auth-config.js';
import { BlobFetcher } from './blob-fetcher.js';
import { LayerFeeds } from './layer-feeds.js';
import type { ClientState } from './client-state.js';
import type { RegistryContent, RegistryImages } from './content-deps.js';
import { runLimited } from './limit.js';
import { ManifestNotFound, resolveRemote } from './manifest-resolver.js';
import { parsePlatform, type Platform } from './platform.js';
import { listTags } from './list-tags.js';
import { ItemProgress, shortId } from './progress.js';
import { RegistrySession } from './registry-session.js';

/** Everything a puller is built from. */
export interface PullerDeps {
  content: RegistryContent;
  images: RegistryImages;
  state: ClientState;
  insecureRegistries?: readonly string[];
  /** Parallel layer downloads (3, as dockerd). */
  concurrency?: number;
  retryDelayMs?: number;
}

/**
 * `fromImage` + `tag` as the API gets them (tag may be a digest). With neither a tag nor a
 * digest anywhere the API means "all tags" (`allTags`); the reference then defaults to `latest`.
 */
export function pullReference(image: string, tag?: string): ImageReference & { allTags?: boolean } {
  const ref: ImageReference & { allTags?: boolean } = parseReference(image);
  if (tag) {
    if (tag.includes(':')) ref.digest = parseReference(`x@${tag}`).digest;
    else ref.tag = tag;
  }
  if (!ref.tag && !ref.digest) {
    ref.tag = 'latest';
    ref.allTags = true;
  }
  return ref;
}

/**
 * `docker pull` over the distribution protocol: resolve the manifest (index -> platform),
 * fetch config and layers (3 at a time, verified, resumable, single-flight), then register
 * the image with its tag and RepoDigest. Progress messages are dockerd's.
 *
 * @example
 *   const puller = new RegistryPuller({ content, images, state });
 *   await puller.pull({ image: '127.0.0.1:5000/busybox', tag: 'latest' }, {}, (m) => out.write(m));
 */
export class RegistryPuller {
  private readonly fetcher: BlobFetcher;

  constructor(private readonly deps: PullerDeps) {
    this.fetcher = new BlobFetcher(deps.content);
  }

  async pull(target: { image: string; tag?: string; platform?: string }, opts: { authConfig?: string }, progress: ProgressSink): Promise<void> {
    const { allTags, ...ref } = pullReference(target.image, target.tag);
    const platform = parsePlatform(target.platform);
    const session = new RegistrySession({ domain: ref.domain, auth: decodeAuthHeader(opts.authConfig), insecureRegistries: this.deps.insecureRegistries });
    if (!allTags) {
      const upToDate = await this.pullOne(session, ref, platform, opts, progress);
      progress({ status: `Status: ${upToDate ? 'Image is up to date' : 'Downloaded newer image'} for ${familiarString(ref)}` });
      return;
    }
    const tags = await listTags(session, ref.path).catch(() => ['latest']);
    let all = true;
    for (const tag of tags) all = (await this.pullOne(session, { ...ref, tag }, platform, opts, progress)) && all;
    progress({ status: `Status: ${all ? 'Image is up to date' : 'Downloaded newer image'} for ${familiarName(ref)}` });
  }

  /** Pulls one tag or digest; resolves true when the image was already up to date. */
  private async pullOne(session: RegistrySession, ref: ImageReference, platform: Platform, opts: { authConfig?: string }, progress: ProgressSink): Promise<boolean> {
    const display = familiarString(ref);
    let remote;
    try {
      remote = await resolveRemote(session, ref.path, ref.digest ?? ref.tag!, platform);
    } catch (err) {
      if (err instanceof ManifestNotFound) {
        if (err.registryText.startsWith('name unknown')) throw new EngineError('not-found', `repository ${familiarName(ref)} not found: ${err.registryText}`);
        throw new EngineError('not-found', `manifest for ${display} not found: ${err.registryText}`);
      }
      const ch = session.authChallenge;
      if (EngineError.is(err, 'unauthorized') && ch?.scheme === 'basic' && !basicCredentials(decodeAuthHeader(opts.authConfig))) {
        const origin = await session.origin();
        throw new EngineError('internal', `Head "${origin.origin}/v2/${ref.path}/manifests/${ref.digest ?? ref.tag}": no basic auth credentials`);
      }
      if (EngineError.is(err, 'unauthorized') || EngineError.is(err, 'forbidden')) {
        throw new EngineError('not-found', `pull access denied for ${familiarName(ref)}, repository does not exist or may require 'docker login': ${err.message}`);
      }
      throw err;
    }
    const { parsed } = remote;
    const repoFull = repositoryName(ref);
    progress({ status: `Pulling from ${ref.path}`, id: ref.digest ?? ref.tag });

    const configId = parsed.config.digest;
    const existing = this.deps.images.index.get(configId);
    const layers = parsed.layers;
    await this.fetcher.fetch({ session, repo: ref.path, desc: parsed.config, retryDelayMs: this.deps.retryDelayMs });
    const fresh = existing ? [] : await this.layersToFetch(layers, progress);
    // layers unpack while they download: the image is registered as the blobs arrive
    const feeds = new LayerFeeds(fresh.map((l) => l.digest));
    const downloads = this.fetchLayers(session, ref.path, fresh, feeds, progress);
    downloads.catch((err: unknown) => feeds.failAll(err));
    await this.deps.content.put(remote.manifest.bytes, remote.manifest.digest);
    if (remote.top !== remote.manifest) await this.deps.content.put(remote.top.bytes, remote.top.digest);

    const tagRef = ref.tag !== undefined && ref.digest === undefined ? fullString(ref) : undefined;
    const upToDate = tagRef !== undefined ? this.deps.images.index.byReference(tagRef)?.id === configId : !!existing;
    const manifests: ManifestRecord[] = [{ digest: remote.manifest.digest, mediaType: remote.manifest.mediaType, size: remote.manifest.bytes.length }];
    if (remote.top !== remote.manifest) manifests.push({ digest: remote.top.digest, mediaType: remote.top.mediaType, size: remote.top.bytes.length });
    const registered = this.deps.images.registerImage({
      config: configId,
      // an image already here keeps its own blobs (they may differ in compression from the remote ones)
      layers: (existing?.layers ?? layers).map((l) => ({
        digest: l.digest,
        mediaType: l.mediaType,
        size: l.size,
        ...(feeds.has(l.digest) ? { open: () => feeds.open(l.digest), skip: () => feeds.skip(l.digest) } : {}),
      })),
      manifests,
      tags: tagRef ? [tagRef] : [],
      digests: [`${repoFull}@${remote.top.digest}`],
      blobsStored: downloads,
    });
    registered.catch(() => feeds.abandon());
    const [got, reg] = await Promise.allSettled([downloads, registered]);
    if (got.status === 'rejected') throw got.reason;
    if (reg.status === 'rejected') throw reg.reason;
    for (const l of layers) this.deps.state.addSource(l.digest, repoFull);
    void this.deps.state.save();
    for (const l of fresh) new ItemProgress(progress, shortId(l.digest)).status('Extracting');
    for (const l of fresh) new ItemProgress(progress, shortId(l.digest)).status('Pull complete');
    progress({ status: `Digest: ${remote.top.digest}` });
    return upToDate;
  }

  /** The layers not stored yet (each once), with their first progress lines. */
  private async layersToFetch(layers: { digest: Digest; size: number; mediaType: string }[], progress: ProgressSink): Promise<{ digest: Digest; size: number }[]> {
    const need: { digest: Digest; size: number }[] = [];
    for (const l of layers) {
      if (typeof l.size !== 'number' || l.size < 0) throw invalid(`invalid manifest: layer ${l.digest} has no size`);
      const p = new ItemProgress(progress, shortId(l.digest));
      if (await this.fetcher.has(l.digest)) {
        p.status('Already exists');
      } else if (!need.some((n) => n.digest === l.digest)) {
        p.status('Pulling fs layer');
        need.push(l);
      }
    }
    return need;
  }

  private async fetchLayers(session: RegistrySession, repo: string, need: { digest: Digest; size: number }[], feeds: LayerFeeds, progress: ProgressSink): Promise<void> {
    const n = this.deps.concurrency ?? 3;
    need.slice(n).forEach((l) => new ItemProgress(progress, shortId(l.digest)).status('Waiting'));
    await runLimited(need, n, async (l) => {
      const p = new ItemProgress(progress, shortId(l.digest));
      try {
        await this.fetcher.fetch({
          session,
          repo,
          desc: l,
          retryDelayMs: this.deps.retryDelayMs,
          onBytes: (c, t) => p.bytes('Downloading', c, t, c === t),
          tap: feeds.begin(l.digest),
        });
      } catch (err) {
        feeds.finish(l.digest, err);
        throw err;
      }
      feeds.finish(l.digest);
      p.status('Verifying Checksum');
      p.status('Download complete');
    });
  }
}
