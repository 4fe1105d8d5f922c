import { createHash, randomBytes, type Hash } from 'node:crypto';
import { mkdir, mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContextSyncRequest, ContextSyncResponse, ManifestEntry } from '../../api/context-sync.js';
import { EngineError, invalid } from '../../shared/errors.js';
import type { BuildContext } from './build-context.js';
import { cleanRelative } from './context-entry.js';
import { Spool, type IndexedEntry } from './context-index.js';
import { EntryTable, tarError } from './entry-table.js';
import { contextOf } from './receive-context.js';
import type { ChunkSource } from './byte-source.js';
import { limited } from './safe-extract.js';
import { TarScan } from './tar-scan.js';

export interface SyncedContextsOptions {
  /** Bytes of spools kept across builds, all contexts together (least recently used dropped first). */
  maxBytes?: number;
  /** Contexts kept across builds. */
  maxContexts?: number;
  /** How long a session waits for its `POST /build`. */
  sessionTtlMs?: number;
  /** Manifest entries accepted in one request. */
  maxEntries?: number;
  /** A spool is rewritten with only its live files when its garbage passes this and its live bytes. */
  compactSlack?: number;
}

export interface AssembleOptions {
  /** Directory under which the build gets its own private directory (as receiveContext). */
  workDir: string;
  /** The `dockerfile` parameter. */
  dockerfile?: string;
  /** Refuse deltas larger than this (tar bytes). */
  maxBytes?: number;
}

/** A file kept for a context: where its bytes are in the spool, and the stat metadata they were sent with. */
interface KeptFile {
  key: string;
  offset: number;
  size: number;
  hash: string;
  /** The file's entry in the last build (its cache digest, once computed, is reused). */
  entry?: IndexedEntry;
}

/** One context id's files on disk: `<root>/<sha256(id)[:32]>/spool-<gen>`, appended to; in memory, the index. */
interface Slot {
  dir: string;
  gen: number;
  spoolSize: number;
  liveBytes: number;
  files: Map<string, KeptFile>;
  busy: boolean;
  used: number;
  /** The manifest last assembled (its digest) and the index it gave, before the build hid anything. */
  last?: { digest: string; entries: Map<string, IndexedEntry> };
}

interface Session {
  /** Undefined: nothing kept for this build (the id was busy): every file is sent, spooled privately. */
  slot: Slot | undefined;
  key: string;
  entries: ManifestEntry[];
  /** The manifest's digest (ContextSyncRequest.digest). */
  digest: string;
  need: number[];
  reuse: (KeptFile | undefined)[];
  /** Nothing changed since the last build of the slot: its index, reused as it is. */
  same?: Map<string, IndexedEntry>;
  timer: NodeJS.Timeout;
}

const DEFAULTS = { maxBytes: 1 << 30, maxContexts: 16, sessionTtlMs: 60_000, maxEntries: 1_000_000, compactSlack: 32 << 20 };
const DECIMAL = /^[0-9]{1,30}$/;
const spoolOf = (s: Slot): string => join(s.dir, `spool-${s.gen}`);
const statKey = (m: ManifestEntry): string => `${m[1]}\0${m[2]}\0${m[3]}\0${m[4]}\0${m[5]}\0${m[6]}\0${m[7]}\0${m[8]}`;

/**
 * Build contexts kept across builds for berth's incremental transfer (src/api/context-sync.ts):
 * `sync` compares a client's manifest with what is kept for its context id and says which
 * files to send; `assemble` takes those (a tar), appends them to the id's spool, and gives
 * the BuildContext: unchanged files (same kind, mode, size, mtime, uid, gid, inode, ctime)
 * keep their bytes and content hash, so nothing is read or hashed again. The index is the
 * same a full tar of the same files gives (EntryTable; owners 0, mtimes in whole seconds).
 *
 * Everything lives under `root` (berthd's data root; file names from a hash of the id, paths
 * of the manifest never touch the filesystem), bounded by maxBytes/maxContexts (LRU); the
 * index is in memory only, so `root` is wiped when berthd starts (it lives under
 * builder/tmp). One build at a time syncs an id; a second meanwhile gets a private,
 * uncached session. A spool is only appended to; compaction writes a new one, and builds
 * still reading the old one hold it open.
 */
export class SyncedContexts {
  private readonly slots = new Map<string, Slot>();
  private readonly sessions = new Map<string, Session>();
  private readonly opts: Required<SyncedContextsOptions>;

  constructor(
    private readonly root: string,
    options: SyncedContextsOptions = {},
  ) {
    this.opts = { ...DEFAULTS, ...options };
  }

  /**
   * Step 1: which of the manifest's files berthd lacks for this id. A request with only the
   * manifest's digest gets a session when it is the slot's last manifest, else none (`{}`).
   */
  sync(req: ContextSyncRequest): ContextSyncResponse {
    if (!req || typeof req.id !== 'string' || req.id.length === 0 || req.id.length > 512) throw invalid('context sync: id must be a string of 1 to 512 characters');
    const key = createHash('sha256').update(req.id).digest('hex').slice(0, 32);
    if (req.entries === undefined) {
      if (typeof req.digest !== 'string') throw invalid('context sync: entries or digest required');
      const slot = this.slots.get(key);
      if (!slot?.last || slot.busy || slot.last.digest !== req.digest) return {};
      return this.open({ slot, key, entries: [], digest: req.digest, need: [], reuse: [], same: slot.last.entries });
    }
    if (!Array.isArray(req.entries)) throw invalid('context sync: entries must be an array');
    if (req.entries.length > this.opts.maxEntries) throw invalid(`context sync: more than ${this.opts.maxEntries} entries`);
    req.entries.forEach(checkEntry);
    const digest = manifestDigest(req.entries);
    let slot = this.slots.get(key);
    if (slot?.busy) slot = undefined;
    else if (!slot) {
      slot = { dir: join(this.root, `${key}-${randomBytes(4).toString('hex')}`), gen: 0, spoolSize: 0, liveBytes: 0, files: new Map(), busy: false, used: Date.now() };
      this.slots.set(key, slot);
    }
    const need: number[] = [];
    const reuse: (KeptFile | undefined)[] = new Array(req.entries.length);
    req.entries.forEach((m, i) => {
      if (m[1] !== 'f') return;
      const kept = slot?.files.get(m[0]);
      if (kept && kept.key === statKey(m)) reuse[i] = kept;
      else need.push(i);
    });
    return this.open({ slot, key, entries: req.entries, digest, need, reuse });
  }

  private open(s: Omit<Session, 'timer'>): ContextSyncResponse {
    const token = randomBytes(16).toString('hex');
    if (s.slot) s.slot.busy = true;
    const timer = setTimeout(() => this.release(token), this.opts.sessionTtlMs);
    timer.unref();
    this.sessions.set(token, { ...s, timer });
    return { session: token, need: s.need };
  }

  /** Step 2: the delta tar (the needed files, in order) to the build's context. */
  async assemble(token: string, body: ChunkSource, options: AssembleOptions): Promise<BuildContext> {
    const s = this.sessions.get(token);
    if (!s) throw new EngineError('conflict', `berth context session ${JSON.stringify(token)} is unknown or expired: send the whole context`);
    this.sessions.delete(token);
    clearTimeout(s.timer);
    const slot = s.slot;
    await mkdir(options.workDir, { recursive: true });
    const dir = await mkdtemp(join(options.workDir, 'context-'));
    let handle: FileHandle | undefined;
    const start = slot?.spoolSize ?? 0;
    try {
      if (slot && start === 0) {
        await rm(slot.dir, { recursive: true, force: true });
        await mkdir(slot.dir, { recursive: true, mode: 0o700 });
      }
      let spool = slot ? spoolOf(slot) : join(dir, 'files');
      const got = await receiveDelta(body, spool, slot ? 'a' : 'wx', start, s, options.maxBytes);
      if (slot && s.same) {
        // nothing changed: the last index as it is (its entries are never modified once kept)
        slot.used = Date.now();
        handle = await open(spool, 'r');
        slot.busy = false;
        return await contextOf(dir, spool, new Map(s.same), options.dockerfile, handle);
      }
      const table = new EntryTable();
      const files = new Map<string, KeptFile>();
      s.entries.forEach((m, i) => {
        const [path, kind, mode, , mtimeNs, , , , , linkname] = m;
        const mtime = mtimeNs.length > 9 ? Number(mtimeNs.slice(0, -9)) : 0;
        const type = kind === 'd' ? 'directory' : kind === 'l' ? 'symlink' : 'file';
        const e = table.add({ name: path, type, mode, uid: 0, gid: 0, mtime, linkname: linkname ?? '' });
        if (e?.type !== 'file') return;
        const kept = s.reuse[i];
        const c = got.get(i) ?? kept!;
        e.offset = c.offset;
        e.size = c.size;
        e.contentHash = c.hash;
        if (kept?.entry?.digest) e.digest = kept.entry.digest;
        files.set(path, { key: statKey(m), offset: c.offset, size: c.size, hash: c.hash, entry: e });
      });
      if (slot) {
        slot.spoolSize = got.end;
        slot.files = files;
        slot.liveBytes = 0;
        for (const f of files.values()) slot.liveBytes += f.size;
        if (slot.spoolSize > 2 * slot.liveBytes + this.opts.compactSlack) await compact(slot, table.entries);
        spool = spoolOf(slot);
        slot.used = Date.now();
        slot.last = { digest: s.digest, entries: new Map(table.entries) };
      }
      handle = await open(spool, 'r');
      if (slot) {
        slot.busy = false;
        await this.evict();
      }
      return await contextOf(dir, spool, table.entries, options.dockerfile, handle);
    } catch (err) {
      await handle?.close().catch(() => undefined);
      if (slot?.busy) {
        // what is on disk no longer matches the index: start this id afresh
        await rm(slot.dir, { recursive: true, force: true }).catch(() => undefined);
        Object.assign(slot, { gen: 0, spoolSize: 0, liveBytes: 0, files: new Map(), busy: false, last: undefined });
      }
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** Bytes and count of what is kept (tests, diagnostics). */
  usage(): { contexts: number; bytes: number } {
    let bytes = 0;
    for (const s of this.slots.values()) bytes += s.spoolSize;
    return { contexts: this.slots.size, bytes };
  }

  private release(token: string): void {
    const s = this.sessions.get(token);
    if (!s) return;
    this.sessions.delete(token);
    if (s.slot) s.slot.busy = false;
  }

  /** Drops least recently used idle contexts beyond the bounds (a build reading one keeps its open spool). */
  private async evict(): Promise<void> {
    const idle = [...this.slots.entries()].filter(([, s]) => !s.busy).sort((a, b) => a[1].used - b[1].used);
    for (const [key, s] of idle) {
      const { contexts, bytes } = this.usage();
      if (contexts <= this.opts.maxContexts && bytes <= this.opts.maxBytes) break;
      this.slots.delete(key);
      await rm(s.dir, { recursive: true, force: true });
    }
  }
}

/** The digest a client sends for its manifest: `sha256:` + hex of its JSON. */
export function manifestDigest(entries: ManifestEntry[]): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(entries)).digest('hex')}`;
}

/** A manifest line's shape; paths must be clean, relative and inside the context. */
function checkEntry(m: ManifestEntry, i: number): void {
  const bad = (why: string): never => {
    throw invalid(`context sync: entry ${i}: ${why}`);
  };
  if (!Array.isArray(m) || m.length < 9) bad('not a manifest entry');
  const [path, kind, mode, size, mtime, uid, gid, ino, ctime, linkname] = m;
  if (typeof path !== 'string' || path === '') bad('no path');
  if (path.startsWith('/') || cleanRelative(path) === undefined) throw invalid(`context sync: ${JSON.stringify(path)} is outside of the build context`);
  if (cleanRelative(path) !== path) bad(`${JSON.stringify(path)} is not a clean relative path`);
  if (kind !== 'f' && kind !== 'd' && kind !== 'l') bad('kind must be f, d or l');
  for (const n of [mode, size, uid, gid]) if (!Number.isSafeInteger(n) || n < 0) bad('mode, size, uid and gid must be non-negative integers');
  for (const d of [mtime, ino, ctime]) if (typeof d !== 'string' || !DECIMAL.test(d)) bad('mtime, ino and ctime must be decimal strings');
  if (kind === 'l' && typeof linkname !== 'string') bad('a symlink needs its target');
}

/** The delta's files, by manifest index, appended to the spool and hashed; `end`: the spool's new size. */
async function receiveDelta(
  body: ChunkSource,
  spoolPath: string,
  flags: 'wx' | 'a',
  start: number,
  s: Session,
  maxBytes: number | undefined,
): Promise<Map<number, { offset: number; size: number; hash: string }> & { end: number }> {
  const got = Object.assign(new Map<number, { offset: number; size: number; hash: string }>(), { end: start });
  const spool = new Spool(spoolPath, flags, start);
  let k = 0;
  let file: { index: number; offset: number; hash: Hash } | undefined;
  let wait = false;
  const scan = new TarScan({
    entry(h) {
      const index = s.need[k];
      const m = index === undefined ? undefined : s.entries[index];
      if (!m) throw tarError(`${JSON.stringify(h.name)} was not asked for`);
      if (h.type !== 'file' || cleanRelative(h.name) !== m[0]) throw tarError(`expected ${JSON.stringify(m[0])}, got ${JSON.stringify(h.name)}`);
      if (h.size !== m[3]) throw tarError(`${JSON.stringify(m[0])} changed while it was sent (size ${h.size}, manifest ${m[3]})`);
      k++;
      file = { index, offset: spool.offset, hash: createHash('sha256') };
    },
    data(chunk) {
      file!.hash.update(chunk);
      if (!spool.write(chunk)) wait = true;
    },
    end() {
      if (!file) return;
      got.set(file.index, { offset: file.offset, size: spool.offset - file.offset, hash: file.hash.digest('hex') });
      file = undefined;
    },
  });
  try {
    for await (const chunk of limited(byteChunks(body), maxBytes)) {
      scan.push(chunk);
      if (wait) {
        wait = false;
        await spool.drained();
      }
    }
    scan.finish();
    if (k !== s.need.length) throw tarError(`the context delta has ${k} of ${s.need.length} files`);
    await spool.close();
  } catch (err) {
    spool.destroy();
    throw EngineError.is(err) ? err : EngineError.wrap('invalid-argument', 'Error processing tar file', err);
  }
  got.end = spool.offset;
  return got;
}

async function* byteChunks(body: ChunkSource): AsyncGenerator<Buffer> {
  for await (const c of body) yield Buffer.isBuffer(c) ? c : typeof c === 'string' ? Buffer.from(c) : Buffer.from(c.buffer, c.byteOffset, c.byteLength);
}

/** Rewrites the slot's spool with only its live files (a new generation); offsets in `entries` and the slot follow. */
async function compact(slot: Slot, entries: Map<string, IndexedEntry>): Promise<void> {
  const from = await open(spoolOf(slot), 'r');
  const next = join(slot.dir, `spool-${slot.gen + 1}`);
  const to = await open(next, 'wx', 0o600);
  const moved = new Map<number, number>();
  let pos = 0;
  try {
    const live = [...new Map([...slot.files.values()].filter((f) => f.size > 0).map((f) => [f.offset, f.size])).entries()].sort((a, b) => a[0] - b[0]);
    const buf = Buffer.allocUnsafe(1 << 20);
    for (const [offset, size] of live) {
      moved.set(offset, pos);
      for (let done = 0; done < size;) {
        const { bytesRead } = await from.read(buf, 0, Math.min(buf.length, size - done), offset + done);
        if (bytesRead === 0) throw new EngineError('internal', 'build context spool ended early');
        await to.write(buf, 0, bytesRead, pos);
        pos += bytesRead;
        done += bytesRead;
      }
    }
  } catch (err) {
    await to.close();
    await rm(next, { force: true });
    throw err;
  } finally {
    await from.close();
  }
  await to.close();
  for (const f of slot.files.values()) f.offset = f.size ? moved.get(f.offset)! : 0;
  for (const e of entries.values()) if (e.type === 'file' && e.offset !== undefined) e.offset = e.size ? moved.get(e.offset)! : 0;
  await rm(spoolOf(slot), { force: true });
  slot.gen++;
  slot.spoolSize = pos;
}
