import { sha256, type Digest } from '../../shared/digest.js';
import { EngineError, invalid } from '../../shared/errors.js';
import type { Descriptor, ImageIndexJSON, ImageManifest } from './descriptors.js';
import { readBody } from './http-request.js';
import { isIndexType, isManifestType, MANIFEST_ACCEPT } from './media-types.js';
import { formatPlatform, platformMatches, type Platform } from './platform.js';
import { responseError } from './registry-errors.js';
import type { RegistrySession } from './registry-session.js';

/** A manifest as fetched: exact bytes, digest (verified) and media type. */
export interface FetchedManifest {
  bytes: Buffer;
  digest: Digest;
  mediaType: string;
}

/** The image a reference resolves to: the top manifest (maybe an index) and the platform manifest. */
export interface ResolvedRemote {
  top: FetchedManifest;
  manifest: FetchedManifest;
  parsed: ImageManifest;
}

/** Distinguishes "not there" from other failures so the caller can word Docker's message. */
export class ManifestNotFound extends EngineError {
  constructor(readonly registryText: string) {
    super('not-found', registryText);
  }
}

/**
 * GETs one manifest by tag or digest with the four manifest Accept types, and verifies
 * its bytes against the digest asked for or the `Docker-Content-Digest` header.
 */
export async function fetchManifest(session: RegistrySession, repo: string, reference: string): Promise<FetchedManifest> {
  const res = await session.request(`/v2/${repo}/manifests/${reference}`, { headers: { Accept: MANIFEST_ACCEPT }, follow: true, scopes: [`repository:${repo}:pull`] });
  if (res.statusCode === 404) {
    const err = await responseError(res);
    throw new ManifestNotFound(err.message.startsWith('unexpected status') ? 'manifest unknown: manifest unknown' : err.message);
  }
  if (res.statusCode !== 200) throw await responseError(res);
  const bytes = await readBody(res, 4 << 20);
  const digest = sha256(bytes);
  const want = reference.startsWith('sha256:') ? reference : String(res.headers['docker-content-digest'] ?? '');
  if (want.startsWith('sha256:') && want !== digest) throw invalid(`manifest verification failed for digest ${want}`);
  let mediaType = '';
  try {
    mediaType = (JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType ?? '';
  } catch {
    throw invalid(`failed to parse manifest ${digest}: not JSON`);
  }
  if (!mediaType) mediaType = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
  return { bytes, digest, mediaType };
}

function parseManifest(m: FetchedManifest): ImageManifest {
  const obj = JSON.parse(m.bytes.toString('utf8')) as ImageManifest;
  if (!obj.config?.digest || !Array.isArray(obj.layers)) throw invalid(`invalid manifest ${m.digest}: missing config or layers`);
  return obj;
}

/** Resolves `reference` (tag or digest) to a single-platform manifest, choosing from an index by platform. */
export async function resolveRemote(session: RegistrySession, repo: string, reference: string, platform: Platform): Promise<ResolvedRemote> {
  const top = await fetchManifest(session, repo, reference);
  if (isIndexType(top.mediaType) || (!top.mediaType && (JSON.parse(top.bytes.toString()) as ImageIndexJSON).manifests)) {
    const idx = JSON.parse(top.bytes.toString('utf8')) as ImageIndexJSON;
    const pick: Descriptor | undefined = (idx.manifests ?? []).find((d) => platformMatches(d.platform, platform));
    if (!pick) throw new EngineError('not-found', `no matching manifest for ${formatPlatform(platform)} in the manifest list entries`);
    const manifest = await fetchManifest(session, repo, pick.digest);
    if (manifest.bytes.length !== pick.size && pick.size) throw invalid(`manifest verification failed for digest ${pick.digest}: size mismatch`);
    return { top, manifest, parsed: parseManifest(manifest) };
  }
  if (top.mediaType && !isManifestType(top.mediaType)) throw invalid(`unsupported manifest media type ${top.mediaType}`);
  return { top, manifest: top, parsed: parseManifest(top) };
}
