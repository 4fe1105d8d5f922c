import { randomBytes } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import type { ContainerConfig } from '../api/types.js';
import { EngineError, invalid } from '../shared/errors.js';
import type { Digest } from '../shared/digest.js';
import type { ImageServiceDeps } from './deps.js';
import type { ImageIndex } from './image-index.js';
import type { ProgressSink } from './image-service.js';
import { applyChanges } from './changes.js';
import { goArch, type ImageConfigJSON } from './image-config.js';
import { registerImage } from './register-image.js';
import { fullString, parseReference, validateTag, withDefaultTag } from './reference.js';
import { isoTime } from '../shared/iso-time.js';

/** Options of `docker import` (POST /images/create?fromSrc=-). */
export interface ImportOptions {
  repo?: string;
  tag?: string;
  changes?: string[];
  message?: string;
  /** `os[/arch[/variant]]` */
  platform?: string;
  /** Where the tar came from, for the default comment (`Imported from -`). */
  source?: string;
}

function importTag(repo: string | undefined, tag: string | undefined): string | undefined {
  if (!repo) return undefined;
  const ref = parseReference(repo);
  if (ref.digest !== undefined) throw invalid('cannot import digest reference');
  if (tag) ref.tag = validateTag(tag);
  return fullString(withDefaultTag(ref));
}

function parsePlatform(p: string | undefined): { os: string; architecture: string; variant?: string } {
  if (!p) return { os: 'linux', architecture: goArch() };
  const [os, arch, variant] = p.toLowerCase().split('/');
  if (os !== 'linux') throw invalid(`"${p}": unsupported platform: operating system is not supported`);
  return { os, architecture: arch || goArch(), ...(variant ? { variant } : {}) };
}

/**
 * `docker import`: a rootfs tar (plain or compressed) becomes a one-layer image. The layer
 * is stored uncompressed (its digest is the DiffID), unpacked, then the image is published
 * and tagged. Emits `{status: "sha256:..."}` and returns the image ID.
 */
export async function importRootfs(deps: ImageServiceDeps, index: ImageIndex, src: Readable, opts: ImportOptions, progress: ProgressSink): Promise<string> {
  const tag = importTag(opts.repo, opts.tag);
  const platform = parsePlatform(opts.platform);
  const config: ContainerConfig = applyChanges({}, opts.changes ?? []);
  const writer = await deps.content.openWriter({ ref: `import-${randomBytes(8).toString('hex')}` });
  let diffId: Digest;
  let size = 0;
  let release = (): void => undefined;
  try {
    const plain = await deps.archive.decompress(src);
    const counted = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        size += chunk.length;
        cb(null, chunk);
      },
    });
    plain.on('error', (err) => counted.destroy(err));
    await writer.pipeFrom(plain.pipe(counted));
    diffId = await writer.commit();
    release = index.leases.acquire([diffId]);
  } catch (err) {
    await writer.abort().catch(() => undefined);
    throw EngineError.is(err) ? err : EngineError.wrap('invalid-argument', 'failed to import image', err);
  }
  const created = isoTime();
  const comment = opts.message || `Imported from ${opts.source ?? '-'}`;
  const img: ImageConfigJSON = {
    architecture: platform.architecture,
    ...(platform.variant ? { variant: platform.variant } : {}),
    comment,
    config,
    created,
    history: [{ created, created_by: '', comment }],
    os: platform.os,
    rootfs: { type: 'layers', diff_ids: [diffId] },
  };
  let id: string;
  try {
    const cfgDigest = await deps.content.put(Buffer.from(JSON.stringify(img)));
    ({ id } = await registerImage(deps, index, {
      config: cfgDigest,
      layers: [{ digest: diffId, mediaType: 'application/vnd.docker.image.rootfs.diff.tar', size }],
      tags: tag ? [tag] : [],
    }));
  } finally {
    release();
  }
  progress({ status: id });
  return id;
}
