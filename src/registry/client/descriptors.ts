import type { Digest } from '../../shared/digest.js';

/** An OCI content descriptor as manifests carry it. */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  urls?: string[];
  annotations?: Record<string, string>;
}

/** An image manifest (Docker v2 schema 2 or OCI). */
export interface ImageManifest {
  schemaVersion: number;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

/** An image index / manifest list. */
export interface ImageIndexJSON {
  schemaVersion: number;
  mediaType?: string;
  manifests: Descriptor[];
}
