import { createWriteStream } from 'node:fs';
import { chmod, link, lutimes, mkdir, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { EngineError, invalid } from '../../shared/errors.js';
import { cleanRelative, isWithin, walkOrder, type ContextEntry } from './context-entry.js';
import { WritePool } from './write-pool.js';

export interface ExtractOptions {
  /** Refuse archives whose (uncompressed) tar stream is larger than this many bytes. */
  maxBytes?: number;
}

const q = (s: string): string => JSON.stringify(s);
const tarError = (message: string): EngineError => invalid(`Error processing tar file: ${message}`);

/** Files up to this size are read whole and written in the background, several at once. */
const SMALL_FILE = 1 << 20;
const WRITE_CONCURRENCY = 16;

let umask: number | undefined;
/** Set the mode open() could not (umask, setuid/setgid/sticky) and the modification time. */
async function finishFile(path: string, meta: { mode: number; mtimeMs: number }): Promise<void> {
  umask ??= process.umask();
  if ((meta.mode & ~0o777) !== 0 || (meta.mode & umask) !== 0) await chmod(path, meta.mode);
  await utimes(path, meta.mtimeMs / 1000, meta.mtimeMs / 1000);
}

/** Docker-independent wording for a context over the configured limit. */
export function tooLarge(maxBytes: number): EngineError {
  return invalid(`build context exceeds the size limit of ${maxBytes} bytes`);
}

/** Count bytes through, failing once past the limit. */
export async function* limited(src: AsyncIterable<Buffer>, maxBytes: number | undefined): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of src) {
    total += chunk.length;
    if (maxBytes !== undefined && total > maxBytes) throw tooLarge(maxBytes);
    yield chunk;
  }
}

/**
 * Unpack a (plain) tar stream into `root`, an empty private directory, and return what it
 * holds. Nothing is read or written outside `root`: names are cleaned (a leading `/` is
 * dropped, `..` that climbs out is refused), symlinks are created as symlinks and never
 * followed (an entry below a symlink is refused), hard links must point at a regular file
 * already unpacked, devices and fifos are skipped. Later entries replace earlier ones.
 *
 * @example const entries = await extractTar(gunzipped, '/var/lib/berth/tmp/ctx-1', { maxBytes: 1 << 30 });
 */
export async function extractTar(
  src: AsyncIterable<Buffer>,
  root: string,
  options: ExtractOptions = {},
): Promise<Map<string, ContextEntry>> {
  const entries = new Map<string, ContextEntry>();
  const abs = (rel: string): string => (rel ? join(root, rel) : root);

  const ensureParents = async (rel: string, name: string): Promise<void> => {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      const e = entries.get(dir);
      if (e?.type === 'dir') continue;
      if (e?.type === 'symlink') throw tarError(`${q(name)} goes through symlink ${q(dir)}`);
      if (e) throw tarError(`${q(name)}: ${q(dir)} is not a directory`);
      await mkdir(abs(dir), { mode: 0o755 });
      entries.set(dir, { path: dir, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, mtimeMs: Date.now() });
    }
  };

  const pool = new WritePool(WRITE_CONCURRENCY);
  const replace = async (rel: string, keepDir: boolean): Promise<void> => {
    const e = entries.get(rel);
    if (!e || (keepDir && e.type === 'dir')) return;
    await pool.drain();
    await rm(abs(rel), { recursive: true, force: true });
    for (const p of [...entries.keys()]) if (isWithin(p, rel)) entries.delete(p);
  };

  const extract = tar.extract({ allowUnknownFormat: true } as Parameters<typeof tar.extract>[0]);
  const feeding = pipeline(Readable.from(limited(src, options.maxBytes)), extract);
  feeding.catch(() => undefined); // awaited below; its error also ends the entry loop
  try {
    for await (const entry of extract) {
      const h = entry.header;
      const rel = cleanRelative(h.name);
      if (rel === undefined) throw tarError(`${q(h.name)} is outside of the build context`);
      const meta = {
        mode: (h.mode ?? 0o644) & 0o7777,
        uid: h.uid ?? 0,
        gid: h.gid ?? 0,
        mtimeMs: h.mtime ? h.mtime.getTime() : Date.now(),
      };
      if (rel === '' || !['file', 'contiguous-file', 'directory', 'symlink', 'link'].includes(h.type ?? 'file')) {
        entry.resume();
        continue;
      }
      await ensureParents(rel, h.name);
      const path = abs(rel);
      switch (h.type ?? 'file') {
        case 'directory':
          await replace(rel, true);
          if (!entries.has(rel)) await mkdir(path, { mode: 0o755 });
          entries.set(rel, { path: rel, type: 'dir', size: 0, ...meta });
          entry.resume();
          break;
        case 'symlink':
          await replace(rel, false);
          await symlink(h.linkname ?? '', path);
          entries.set(rel, { path: rel, type: 'symlink', size: 0, linkname: h.linkname ?? '', ...meta });
          entry.resume();
          break;
        case 'link': {
          const target = cleanRelative(h.linkname ?? '');
          const t = target === undefined ? undefined : entries.get(target);
          if (!t || t.type !== 'file') throw tarError(`hard link ${q(h.name)} to ${q(h.linkname ?? '')}: no such file in the build context`);
          await replace(rel, false);
          await pool.drain();
          await link(abs(t.path), path);
          entries.set(rel, { path: rel, type: 'file', size: t.size, ...meta });
          entry.resume();
          break;
        }
        default: {
          await replace(rel, false);
          if ((h.size ?? 0) <= SMALL_FILE) {
            const parts: Buffer[] = [];
            for await (const chunk of entry) parts.push(chunk as Buffer);
            const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
            entries.set(rel, { path: rel, type: 'file', size: data.length, ...meta });
            await pool.add(async () => {
              await writeFile(path, data, { flag: 'wx', mode: meta.mode & 0o777 });
              await finishFile(path, meta);
            });
          } else {
            const out = createWriteStream(path, { flags: 'wx', mode: meta.mode & 0o777 });
            await pipeline(entry as unknown as Readable, out);
            entries.set(rel, { path: rel, type: 'file', size: out.bytesWritten, ...meta });
            await finishFile(path, meta);
          }
        }
      }
      if (h.type === 'symlink') await lutimes(path, meta.mtimeMs / 1000, meta.mtimeMs / 1000).catch(() => undefined);
    }
    await feeding;
    await pool.drain();
  } catch (err) {
    extract.destroy();
    await pool.settle();
    throw err;
  }
  const dirs = [...entries.values()].filter((e) => e.type === 'dir').sort((a, b) => walkOrder(b.path, a.path));
  for (const d of dirs) {
    await chmod(abs(d.path), d.mode);
    await utimes(abs(d.path), d.mtimeMs / 1000, d.mtimeMs / 1000);
  }
  return entries;
}
