import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { invalid } from '../../shared/errors.js';
import { BuildContext, type ContextDockerfile } from './build-context.js';
import { cleanRelative, isWithin, type ContextEntry } from './context-entry.js';
import { DockerIgnore } from './dockerignore.js';
import { ByteSource, isTarHeader, type ChunkSource } from './byte-source.js';
import { extractTar, limited } from './safe-extract.js';
import { resolveInContext } from './scoped-resolve.js';

export interface ReceiveContextOptions {
  /** Directory under which the context gets its own private (0700) directory. */
  workDir: string;
  /** The `dockerfile` parameter: the Dockerfile's path in the context (default `Dockerfile`). */
  dockerfile?: string;
  /** Refuse contexts larger than this (uncompressed tar bytes). */
  maxBytes?: number;
}

const DEFAULT_DOCKERFILE = 'Dockerfile';

/**
 * Take a build context as `POST /build` receives it: a tar, a gzipped tar, or a bare
 * Dockerfile (a body that is not a tar; it becomes the context's Dockerfile), unpack it
 * safely, read the Dockerfile, then drop the Dockerfile and `.dockerignore` from what COPY
 * sees when `.dockerignore` excludes them, as Docker's daemon does. On error nothing is left.
 *
 * @example
 *   const ctx = await receiveContext(req, { workDir: '/var/lib/berth/tmp', dockerfile: 'Dockerfile' });
 *   const df = parseDockerfile(ctx.dockerfile.content);
 */
export async function receiveContext(
  body: ChunkSource,
  options: ReceiveContextOptions,
): Promise<BuildContext> {
  await mkdir(options.workDir, { recursive: true });
  const root = await mkdtemp(join(options.workDir, 'context-'));
  try {
    const entries = await unpack(new ByteSource(body), root, options);
    const dockerfile = await readDockerfile(root, entries, options.dockerfile);
    await hideIgnoredBuildFiles(root, entries, dockerfile.path);
    return new BuildContext(root, entries, dockerfile);
  } catch (err) {
    await rm(root, { recursive: true, force: true });
    throw err;
  }
}

async function unpack(src: ByteSource, root: string, options: ReceiveContextOptions): Promise<Map<string, ContextEntry>> {
  const magic = await src.peek(6);
  let plain = src;
  if (magic[0] === 0x1f && magic[1] === 0x8b) {
    const gunzip = createGunzip({ chunkSize: 1 << 18 });
    pipeline(Readable.from(src.rest()), gunzip).catch(() => undefined); // errors surface on gunzip
    plain = new ByteSource(gunzip);
  } else if (magic.toString('latin1', 0, 3) === 'BZh' || magic.toString('latin1', 0, 6) === '\xfd7zXZ\0') {
    throw invalid('unsupported compression format: only plain and gzip-compressed build contexts are accepted');
  }
  const head = await plain.peek(512);
  if (head.length === 0) return new Map();
  if (isTarHeader(head)) return extractTar(plain.rest(), root, { maxBytes: options.maxBytes });
  return bareDockerfile(plain, root, options);
}

/** A body that is not a tar is the Dockerfile itself. */
async function bareDockerfile(src: ByteSource, root: string, options: ReceiveContextOptions): Promise<Map<string, ContextEntry>> {
  const name = cleanRelative(options.dockerfile || DEFAULT_DOCKERFILE) || DEFAULT_DOCKERFILE;
  const parts: Buffer[] = [];
  for await (const chunk of limited(src.rest(), options.maxBytes)) parts.push(chunk);
  const content = Buffer.concat(parts);
  const entries = new Map<string, ContextEntry>();
  const now = Date.now();
  const segments = name.split('/');
  for (let i = 1; i < segments.length; i++) {
    const dir = segments.slice(0, i).join('/');
    await mkdir(join(root, dir), { mode: 0o755 });
    entries.set(dir, { path: dir, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtimeMs: now });
  }
  await writeFile(join(root, name), content, { mode: 0o644 });
  await utimes(join(root, name), now / 1000, now / 1000);
  entries.set(name, { path: name, type: 'file', mode: 0o644, uid: 0, gid: 0, size: content.length, mtimeMs: now });
  return entries;
}

/** Docker's rules: `../` refused, `Dockerfile` falls back to `dockerfile`, a directory or an empty file refused. */
async function readDockerfile(
  root: string,
  entries: ReadonlyMap<string, ContextEntry>,
  requested: string | undefined,
): Promise<ContextDockerfile> {
  const name = requested || DEFAULT_DOCKERFILE;
  const clean = cleanRelative(name);
  if (clean === undefined) throw invalid(`forbidden path outside the build context: ${name} ()`);
  let path = resolveInContext(entries, clean);
  if (!entries.has(path) && name === DEFAULT_DOCKERFILE && entries.get('dockerfile')?.type === 'file') path = 'dockerfile';
  const e = entries.get(path);
  if (!e || e.type === 'symlink') throw invalid(`Cannot locate specified Dockerfile: ${name}`);
  if (e.type === 'dir' || path === '') throw invalid(`unexpected error reading Dockerfile: read ${name}: is a directory`);
  if (e.size === 0) throw invalid(`the Dockerfile (${name}) cannot be empty`);
  return { path, content: await readFile(join(root, path), 'utf8') };
}

/** The Dockerfile and `.dockerignore` are always sent, but COPY does not see them when `.dockerignore` excludes them. */
async function hideIgnoredBuildFiles(root: string, entries: Map<string, ContextEntry>, dockerfile: string): Promise<void> {
  const ignoreFile = entries.get('.dockerignore');
  if (ignoreFile?.type !== 'file') return;
  const rules = DockerIgnore.parse(await readFile(join(root, '.dockerignore'), 'utf8'));
  for (const path of ['.dockerignore', dockerfile]) {
    if (!entries.has(path) || !rules.matches(path)) continue;
    await rm(join(root, path), { recursive: true, force: true });
    for (const p of [...entries.keys()]) if (isWithin(p, path)) entries.delete(p);
  }
}
