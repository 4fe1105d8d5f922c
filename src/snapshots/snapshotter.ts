import type { Mount } from '../mount/types.js';

export type SnapshotKind = 'view' | 'active' | 'committed';

export interface SnapshotInfo {
  key: string;
  parent: string | null;
  kind: SnapshotKind;
  created: string;
}

/**
 * Copy-on-write filesystem snapshots (overlayfs). Modeled on containerd's Snapshotter.
 * Lifecycle: prepare(key, parent) makes an *active* snapshot (writable upper dir) and
 * returns the mounts to use it; commit(name, key) freezes an active snapshot into a
 * *committed* one usable as a parent (layers are committed under their ChainID);
 * view() is a read-only active; remove() deletes a snapshot without children.
 * The snapshotter never mounts anything itself: callers pass the mounts to src/mount.
 */
export interface Snapshotter {
  stat(key: string): Promise<SnapshotInfo | undefined>;
  prepare(key: string, parent: string | null, labels?: Record<string, string>): Promise<Mount[]>;
  view(key: string, parent: string | null): Promise<Mount[]>;
  mounts(key: string): Promise<Mount[]>;
  commit(name: string, key: string): Promise<void>;
  remove(key: string): Promise<void>;
  /** Host directory of an active snapshot's upper layer (for diff/commit/export and GraphDriver data). */
  upperDir(key: string): string;
  /** GraphDriver.Data for inspect: LowerDir/UpperDir/WorkDir/MergedDir. */
  graphData(key: string, mergedDir?: string): Promise<Record<string, string>>;
  list(): Promise<SnapshotInfo[]>;
}
