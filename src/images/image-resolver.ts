import { notFound } from '../shared/errors.js';
import type { ImageIndex, ImageRecord } from './image-index.js';
import { familiarString, fullString, parseReference, repositoryName, withDefaultTag } from './reference.js';

const FULL_ID = /^sha256:[a-f0-9]{64}$/;
const HEX_ID = /^[a-f0-9]{64}$/;
const ID_PREFIX = /^(sha256:)?[a-f0-9]{1,64}$/;

/** Docker's isImageIDPrefix: the user named the image by (a prefix of) its ID. */
export function isImageIdPrefix(imageId: string, ref: string): boolean {
  return imageId.startsWith(ref) || imageId.slice(7).startsWith(ref);
}

/** Unique image whose ID starts with the given (possibly `sha256:`-prefixed) hex. */
function searchId(index: ImageIndex, prefix: string): ImageRecord | undefined {
  const p = prefix.startsWith('sha256:') ? prefix : `sha256:${prefix}`;
  const hits = index.all().filter((r) => r.id.startsWith(p));
  return hits.length === 1 ? hits[0] : undefined;
}

/**
 * Finds the image a user string names, as Docker's GetImage does: full ID, then
 * name[:tag] / name@digest, then a unique ID prefix.
 * Throws `No such image: busybox:latest` (not-found) or the reference's parse error.
 *
 * @example resolveRecord(index, 'busybox') // the record tagged docker.io/library/busybox:latest
 */
export function resolveRecord(index: ImageIndex, ref: string): ImageRecord {
  if (FULL_ID.test(ref) || HEX_ID.test(ref)) {
    const id = ref.startsWith('sha256:') ? ref : `sha256:${ref}`;
    const rec = index.get(id);
    if (!rec) throw notFound(`No such image: ${id}`);
    return rec;
  }
  let parsed;
  try {
    parsed = parseReference(ref);
  } catch (err) {
    if (ID_PREFIX.test(ref)) {
      const rec = searchId(index, ref);
      if (rec) return rec;
      throw notFound(`No such image: ${ref}`);
    }
    throw err;
  }
  let rec: ImageRecord | undefined;
  if (parsed.digest !== undefined) {
    const canonical = fullString({ domain: parsed.domain, path: parsed.path, digest: parsed.digest });
    rec = index.byReference(canonical);
    if (!rec) {
      const repo = repositoryName(parsed);
      rec = index
        .all()
        .find(
          (r) =>
            r.manifests.some((m) => m.digest === parsed.digest) &&
            [...r.repoTags, ...r.repoDigests].some((t) => t.startsWith(`${repo}:`) || t.startsWith(`${repo}@`)),
        );
    }
  } else {
    rec = index.byReference(fullString(withDefaultTag(parsed)));
  }
  if (!rec && ID_PREFIX.test(ref)) rec = searchId(index, ref);
  if (!rec) throw notFound(`No such image: ${familiarString(withDefaultTag(parsed))}`);
  return rec;
}
