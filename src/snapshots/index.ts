export type { Snapshotter, SnapshotInfo, SnapshotKind } from './snapshotter.js';
export { OverlaySnapshotter } from './overlay-snapshotter.js';
export { SnapshotMetadata } from './snapshot-metadata.js';
export type { SnapshotRecord } from './snapshot-metadata.js';
