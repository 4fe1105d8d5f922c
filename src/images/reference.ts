import { invalid } from '../shared/errors.js';

/**
 * A parsed, normalized Docker image reference (distribution/reference grammar).
 * `busybox` -> `{domain:'docker.io', path:'library/busybox'}`; tag/digest only when given.
 *
 * @example
 *   const r = parseReference('localhost:5000/a/b:t'); // {domain:'localhost:5000', path:'a/b', tag:'t'}
 *   familiarString(withDefaultTag(parseReference('busybox'))) // 'busybox:latest'
 */
export interface ImageReference {
  domain: string;
  path: string;
  tag?: string;
  digest?: string;
}

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
const MAX_NAME = 255;

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|${IPV6})(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';

const REFERENCE_RE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const TAG_RE = new RegExp(`^${TAG}$`);
const ANCHORED_ID_RE = /^[a-f0-9]{64}$/;
const SHA256_RE = /^sha256:[a-f0-9]{64}$/;

/** True for a full 64-hex image ID without algorithm (Docker refuses these as names). */
export function isFullHexId(s: string): boolean {
  return ANCHORED_ID_RE.test(s);
}

function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const i = name.indexOf('/');
  let domain: string;
  let remainder: string;
  const first = i < 0 ? '' : name.slice(0, i);
  if (i < 0 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    domain = DEFAULT_DOMAIN;
    remainder = name;
  } else {
    domain = first;
    remainder = name.slice(i + 1);
  }
  if (domain === LEGACY_DEFAULT_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_PREFIX + remainder;
  return { domain, remainder };
}

/**
 * Parses and normalizes a reference as `docker pull`/`docker tag` do
 * (distribution/reference ParseNormalizedNamed). Throws EngineError invalid-argument
 * with Docker's wording: `invalid reference format`,
 * `invalid reference format: repository name must be lowercase`.
 */
export function parseReference(s: string): ImageReference {
  if (ANCHORED_ID_RE.test(s)) {
    throw invalid(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const { domain, remainder } = splitDockerDomain(s);
  const tagSep = remainder.indexOf(':');
  const remoteName = tagSep > -1 ? remainder.slice(0, tagSep) : remainder;
  if (remoteName.toLowerCase() !== remoteName) {
    throw invalid('invalid reference format: repository name must be lowercase');
  }
  const full = `${domain}/${remainder}`;
  const m = REFERENCE_RE.exec(full);
  if (!m) {
    if (s === '') throw invalid('invalid reference format: repository name must have at least one component');
    throw invalid('invalid reference format');
  }
  const name = m[1]!;
  if (name.length > MAX_NAME) throw invalid('invalid reference format: repository name must not be more than 255 characters');
  const ref: ImageReference = { domain, path: name.slice(domain.length + 1) };
  if (m[2] !== undefined) ref.tag = m[2];
  if (m[3] !== undefined) {
    if (!SHA256_RE.test(m[3])) {
      throw invalid(m[3].startsWith('sha256:') ? 'invalid checksum digest length' : 'unsupported digest algorithm');
    }
    ref.digest = m[3];
  }
  return ref;
}

/** Adds `:latest` when the reference has neither tag nor digest (reference.TagNameOnly). */
export function withDefaultTag(ref: ImageReference): ImageReference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: 'latest' } : ref;
}

/** Full repository name, e.g. `docker.io/library/busybox`. */
export function repositoryName(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`;
}

/** Familiar repository name, e.g. `busybox`, `localhost:5000/x`. */
export function familiarName(ref: ImageReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return repositoryName(ref);
  const p = ref.path;
  if (p.startsWith(OFFICIAL_PREFIX) && !p.slice(OFFICIAL_PREFIX.length).includes('/')) return p.slice(OFFICIAL_PREFIX.length);
  return p;
}

/** Familiar rendering used in RepoTags/RepoDigests: `busybox:latest`, `localhost:5000/x:y`, `x@sha256:...`. */
export function familiarString(ref: ImageReference): string {
  return familiarName(ref) + (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest !== undefined ? `@${ref.digest}` : '');
}

/** Fully qualified string: `docker.io/library/busybox:latest`. */
export function fullString(ref: ImageReference): string {
  return repositoryName(ref) + (ref.tag !== undefined ? `:${ref.tag}` : '') + (ref.digest !== undefined ? `@${ref.digest}` : '');
}

/** Parses and renders fully qualified, adding `:latest` when no tag/digest: `busybox` -> `docker.io/library/busybox:latest`. */
export function normalize(s: string): string {
  return fullString(withDefaultTag(parseReference(s)));
}

/** Validates a bare tag (`docker tag x repo:TAG`). */
export function validateTag(tag: string): string {
  if (!TAG_RE.test(tag)) throw invalid('invalid tag format');
  return tag;
}
