import type { Digest } from '../../shared/digest.js';
import { isDigest } from '../../shared/digest.js';
import { RegistryError } from './registry-error.js';
import type { ManifestRecord } from './repo-index.js';

export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
] as const;

export const INDEX_MEDIA_TYPES = new Set<string>([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

interface Descriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

interface RawManifest {
  schemaVersion?: number;
  mediaType?: string;
  artifactType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** What a pushed manifest references, split by where it must already exist. */
export interface ParsedManifest {
  record: ManifestRecord;
  blobs: Digest[];
  children: Digest[];
}

function descriptorDigest(d: Descriptor | undefined, what: string): Digest {
  if (!d || typeof d.digest !== 'string' || !isDigest(d.digest)) {
    throw new RegistryError('MANIFEST_INVALID', { reason: `invalid ${what} descriptor` });
  }
  return d.digest;
}

/**
 * Validates a pushed manifest body and lists the digests it references. The media type
 * comes from the body's `mediaType` or the request's Content-Type.
 */
export function parseManifest(body: Buffer, contentType: string | undefined): ParsedManifest {
  let m: RawManifest;
  try {
    m = JSON.parse(body.toString('utf8')) as RawManifest;
  } catch {
    throw new RegistryError('MANIFEST_INVALID', { reason: 'manifest is not valid JSON' });
  }
  if (m === null || typeof m !== 'object' || m.schemaVersion !== 2) {
    throw new RegistryError('MANIFEST_INVALID', { reason: 'unsupported schemaVersion' });
  }
  const ct = contentType?.split(';')[0].trim();
  const mediaType = m.mediaType ?? (ct && ct !== 'application/json' ? ct : undefined) ?? (m.manifests ? MANIFEST_MEDIA_TYPES[1] : MANIFEST_MEDIA_TYPES[0]);
  if (!(MANIFEST_MEDIA_TYPES as readonly string[]).includes(mediaType)) {
    throw new RegistryError('MANIFEST_INVALID', { reason: `unsupported media type ${mediaType}` });
  }
  const blobs: Digest[] = [];
  const children: Digest[] = [];
  if (INDEX_MEDIA_TYPES.has(mediaType)) {
    if (!Array.isArray(m.manifests)) throw new RegistryError('MANIFEST_INVALID', { reason: 'index without manifests' });
    for (const d of m.manifests) children.push(descriptorDigest(d, 'manifest'));
  } else {
    blobs.push(descriptorDigest(m.config, 'config'));
    if (!Array.isArray(m.layers)) throw new RegistryError('MANIFEST_INVALID', { reason: 'manifest without layers' });
    for (const d of m.layers) {
      // Foreign (non-distributable) layers carry URLs and may be absent from the registry.
      if ((d as { urls?: unknown }).urls) continue;
      blobs.push(descriptorDigest(d, 'layer'));
    }
  }
  const subject = m.subject ? descriptorDigest(m.subject, 'subject') : undefined;
  const artifactType = m.artifactType ?? (m.config?.mediaType !== 'application/vnd.oci.image.config.v1+json' ? m.config?.mediaType : undefined);
  return {
    record: {
      mediaType,
      size: body.length,
      ...(subject ? { subject } : {}),
      ...(artifactType ? { artifactType } : {}),
      ...(m.annotations ? { annotations: m.annotations } : {}),
      refs: [...blobs, ...children],
    },
    blobs,
    children,
  };
}
