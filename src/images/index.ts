export type { ImageService, ImageUsage, ProgressSink, ResolvedImage } from './image-service.js';
export type { ImageServiceDeps, ImageContent, ImageIngest, LayerArchive } from './deps.js';
export { LocalImageService } from './local-image-service.js';
export { ImageIndex, INDEX_SCHEMA_VERSION, writeFileAtomic } from './image-index.js';
export type { ImageRecord, LayerRecord, ManifestRecord } from './image-index.js';
export {
  parseReference,
  normalize,
  familiarString,
  familiarName,
  fullString,
  repositoryName,
  withDefaultTag,
  validateTag,
  isFullHexId,
  DEFAULT_DOMAIN,
} from './reference.js';
export type { ImageReference } from './reference.js';
export { unpackImage, chainIds } from './unpack.js';
export type { UnpackLayer, UnpackResult } from './unpack.js';
export { registerImage, prepareImage, publishImages } from './register-image.js';
export type { BlobLayer, RegisterImageInput, RegisterImageResult } from './register-image.js';
export { parseImageConfig, diffIdsOf, goArch } from './image-config.js';
export type { ImageConfigJSON, HistoryEntry } from './image-config.js';
export { applyChanges, parseChangeLines } from './changes.js';
export type { ChangeLine } from './changes.js';
export { commitImage, dockerConfigShape, EMPTY_LAYER_DIFF_ID } from './commit-image.js';
export type { CommitImageInput, CommitImageResult } from './commit-image.js';
export type { ImportOptions } from './import-rootfs.js';
export { collectGarbage } from './image-gc.js';
export type { GarbageReport } from './image-gc.js';
export { Leases } from './leases.js';
