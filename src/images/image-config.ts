import type { ContainerConfig } from '../api/types.js';
import { isDigest, type Digest } from '../shared/digest.js';
import { invalid } from '../shared/errors.js';

/** One entry of the image config's `history`. */
export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The image config JSON (docker-image-spec v1.2 / OCI image config). Its digest is the image ID. */
export interface ImageConfigJSON {
  architecture?: string;
  variant?: string;
  os?: string;
  'os.version'?: string;
  created?: string;
  author?: string;
  comment?: string;
  container?: string;
  container_config?: ContainerConfig;
  docker_version?: string;
  config?: ContainerConfig;
  rootfs?: { type: string; diff_ids: string[] };
  history?: HistoryEntry[];
  [k: string]: unknown;
}

/** Parses and checks an image config blob; throws invalid-argument on malformed input. */
export function parseImageConfig(raw: Buffer | string): ImageConfigJSON {
  let cfg: unknown;
  try {
    cfg = JSON.parse(raw.toString());
  } catch {
    throw invalid('invalid image config: not JSON');
  }
  if (!cfg || typeof cfg !== 'object' || Array.isArray(cfg)) throw invalid('invalid image config: not an object');
  const c = cfg as ImageConfigJSON;
  if (!c.rootfs || c.rootfs.type !== 'layers' || !Array.isArray(c.rootfs.diff_ids)) {
    throw invalid('invalid image config: rootfs.type must be "layers"');
  }
  for (const d of c.rootfs.diff_ids) if (typeof d !== 'string' || !isDigest(d)) throw invalid(`invalid image config: bad diff_id ${String(d)}`);
  return c;
}

/** DiffIDs of a parsed config. */
export function diffIdsOf(cfg: ImageConfigJSON): Digest[] {
  return (cfg.rootfs?.diff_ids ?? []) as Digest[];
}

/** `x64` -> `amd64` etc., Go's GOARCH names. */
export function goArch(nodeArch: string = process.arch): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return map[nodeArch] ?? nodeArch;
}

/** Unix seconds of an RFC3339 `created`, 0 when absent or unparsable. */
export function createdUnix(created: string | undefined): number {
  if (!created) return 0;
  const t = Date.parse(created);
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
}
