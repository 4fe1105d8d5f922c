import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { invalid } from '../../shared/errors.js';
import { BuildContext, type ContextDockerfile } from './build-context.js';
import { cleanRelative, isWithin } from './context-entry.js';
import { indexTarInto, Spool, type IndexedEntry } from './context-index.js';
import type { MemorySpool, SpoolReader } from './memory-spool.js';
import { DockerIgnore } from './dockerignore.js';
import { ByteSource, isTarHeader, type ChunkSource } from './byte-source.js';
import { limited } from './safe-extract.js';
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
 * Dockerfile (a body that is not a tar; it becomes the context's Dockerfile), index it
 * (file contents spooled into one file and hashed; nothing unpacked), read the Dockerfile, then drop the Dockerfile and `.dockerignore` from what COPY
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
  const dir = await mkdtemp(join(options.workDir, 'context-'));
  const spool = join(dir, 'files');
  let memory: MemorySpool | undefined;
  try {
    const entries = await unpack(new ByteSource(body), spool, options, (m) => (memory = m));
    return await contextOf(dir, spool, entries, options.dockerfile, memory);
  } catch (err) {
    await memory?.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * The BuildContext of an index whose file contents are in `spool`: the Dockerfile read
 * (Docker's rules), the Dockerfile and `.dockerignore` hidden when `.dockerignore` excludes
 * them. `handle`: the spool already open (a shared spool that may be replaced meanwhile).
 */
export async function contextOf(dir: string, spool: string, entries: Map<string, IndexedEntry>, dockerfileParam: string | undefined, handle?: SpoolReader): Promise<BuildContext> {
  const dockerfile = await readDockerfile(spool, entries, dockerfileParam, handle);
  await hideIgnoredBuildFiles(spool, entries, dockerfile.path, handle);
  return new BuildContext(dir, spool, entries, dockerfile, handle);
}

/** `inMemory` hears of the MemorySpool when a tar's bytes stayed in memory (no spool file then). */
async function unpack(src: ByteSource, spool: string, options: ReceiveContextOptions, inMemory: (m: MemorySpool) => void): Promise<Map<string, IndexedEntry>> {
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
  if (head.length === 0) {
    await writeFile(spool, '', { mode: 0o600 });
    return new Map();
  }
  if (isTarHeader(head)) {
    const out = new Spool(spool, 'wx', 0, true);
    const entries = await indexTarInto(plain.rest(), out, { maxBytes: options.maxBytes });
    const memory = out.reader();
    if (memory) inMemory(memory);
    return entries;
  }
  return bareDockerfile(plain, spool, options);
}

/** A body that is not a tar is the Dockerfile itself. */
async function bareDockerfile(src: ByteSource, spool: string, options: ReceiveContextOptions): Promise<Map<string, IndexedEntry>> {
  const name = cleanRelative(options.dockerfile || DEFAULT_DOCKERFILE) || DEFAULT_DOCKERFILE;
  const parts: Buffer[] = [];
  for await (const chunk of limited(src.rest(), options.maxBytes)) parts.push(chunk);
  const content = Buffer.concat(parts);
  const entries = new Map<string, IndexedEntry>();
  const now = Date.now();
  const segments = name.split('/');
  for (let i = 1; i < segments.length; i++) {
    const dir = segments.slice(0, i).join('/');
    entries.set(dir, { path: dir, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtimeMs: now });
  }
  await writeFile(spool, content, { mode: 0o600 });
  const contentHash = createHash('sha256').update(content).digest('hex');
  entries.set(name, { path: name, type: 'file', mode: 0o644, uid: 0, gid: 0, size: content.length, mtimeMs: now, offset: 0, contentHash });
  return entries;
}

/** The content of a file entry, read from the spool (or the given handle on it). */
async function readEntry(spool: string, e: IndexedEntry, handle?: SpoolReader): Promise<string> {
  const fh = handle ?? (await open(spool, 'r'));
  try {
    const buf = Buffer.alloc(e.size);
    await fh.read(buf, 0, e.size, e.offset ?? 0);
    return buf.toString('utf8');
  } finally {
    if (!handle) await fh.close();
  }
}

/** Docker's rules: `../` refused, `Dockerfile` falls back to `dockerfile`, a directory or an empty file refused. */
async function readDockerfile(
  spool: string,
  entries: ReadonlyMap<string, IndexedEntry>,
  requested: string | undefined,
  handle?: SpoolReader,
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
  return { path, content: await readEntry(spool, e, handle) };
}

/** The Dockerfile and `.dockerignore` are always sent, but COPY does not see them when `.dockerignore` excludes them. */
async function hideIgnoredBuildFiles(spool: string, entries: Map<string, IndexedEntry>, dockerfile: string, handle?: SpoolReader): Promise<void> {
  const ignoreFile = entries.get('.dockerignore');
  if (ignoreFile?.type !== 'file') return;
  const rules = DockerIgnore.parse(await readEntry(spool, ignoreFile, handle));
  for (const path of ['.dockerignore', dockerfile]) {
    if (!entries.has(path) || !rules.matches(path)) continue;
    for (const p of [...entries.keys()]) if (isWithin(p, path)) entries.delete(p);
  }
}
