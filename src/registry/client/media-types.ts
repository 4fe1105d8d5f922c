/** Manifest and blob media types the registry client understands. */
export const MEDIA = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const;

/** The Accept header for manifest GET/HEAD: all four manifest kinds. */
export const MANIFEST_ACCEPT = [MEDIA.dockerManifest, MEDIA.dockerList, MEDIA.ociManifest, MEDIA.ociIndex].join(', ');

/** True for an image index / manifest list. */
export function isIndexType(mt: string | undefined): boolean {
  return mt === MEDIA.dockerList || mt === MEDIA.ociIndex;
}

/** True for a single-image manifest. */
export function isManifestType(mt: string | undefined): boolean {
  return mt === MEDIA.dockerManifest || mt === MEDIA.ociManifest;
}

/** True for a layer stored uncompressed (push must gzip it first). */
export function isPlainLayer(mt: string): boolean {
  return mt === MEDIA.ociLayer || mt === 'application/vnd.docker.image.rootfs.diff.tar' || mt.endsWith('.tar') || mt === '';
}
