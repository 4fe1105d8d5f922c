import { createHash, randomBytes } from 'node:crypto';
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, readSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ManifestEntry } from '../../../api/context-sync.js';
import { encodeHeader, type TarWriteHeader } from '../../../archive/index.js';
import { DockerIgnore, selectContextPaths, type WalkEntry } from '../../../shared/dockerignore.js';

const BLOCK = 512;
/** Bytes handed to the socket at once: many small files share one chunk. */
const BATCH = 1 << 20;

/** The context tar the docker CLI sends for a directory, and its Dockerfile's name in it. */
export interface ContextTar {
  tar: Readable;
  dockerfile: string;
  /** Bytes of the tar, known once it has been read to the end. */
  size(): number;
}

/** One path the context sends, with its lstat metadata (or, for a Dockerfile from stdin, its bytes). */
interface PlannedEntry {
  path: string;
  kind: 'f' | 'd' | 'l';
  mode: number;
  size: number;
  mtimeNs: bigint;
  uid: number;
  gid: number;
  ino: bigint;
  ctimeNs: bigint;
  linkname?: string;
  inline?: Buffer;
}

/** What a directory context sends: its paths after `.dockerignore`, in walk order, with their metadata. */
export interface ContextPlan {
  dir: string;
  /** The Dockerfile's name in the context (a random name for one from stdin, as the docker CLI does). */
  dockerfile: string;
  entries: PlannedEntry[];
}

/** Every path under `root` in walk order (parents first, siblings by name), as walkDirectory, synchronously. */
function walk(root: string, prefix: string, out: WalkEntry[]): WalkEntry[] {
  const items = readdirSync(prefix ? `${root}/${prefix}` : root, { withFileTypes: true });
  items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const item of items) {
    const path = prefix ? `${prefix}/${item.name}` : item.name;
    const dir = item.isDirectory();
    out.push({ path, dir });
    if (dir) walk(root, path, out);
  }
  return out;
}

/**
 * The directory as the docker CLI sends it: `.dockerignore` applied (the Dockerfile and
 * `.dockerignore` always included), symlinks kept as symlinks, other special files left
 * out. A Dockerfile read from stdin (`-f -`) is added under a random name. Synchronous
 * filesystem calls: a CLI has nothing else to do meanwhile, and they cost far less per file.
 *
 * @example const plan = planContext('.', 'Dockerfile');
 */
export function planContext(dir: string, dockerfile: string, stdinDockerfile?: Buffer): ContextPlan {
  let ignoreText = '';
  try {
    ignoreText = readFileSync(join(dir, '.dockerignore'), 'utf8');
  } catch {
    // no .dockerignore
  }
  const name = stdinDockerfile ? `__dockerfile-${randomBytes(8).toString('hex')}` : dockerfile;
  const walked = walk(dir, '', []);
  const rules = DockerIgnore.parse(ignoreText);
  // no rules: everything is sent (the matcher costs more than the walk on large contexts)
  const paths = rules.patterns.length ? selectContextPaths(walked, rules, name) : walked.map((e) => e.path);
  const entries: PlannedEntry[] = [];
  for (const p of paths) {
    const abs = `${dir}/${p}`;
    const st = lstatSync(abs, { bigint: true });
    const kind = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : st.isFile() ? 'f' : undefined;
    if (!kind) continue;
    entries.push({
      path: p, kind, mode: Number(st.mode & 0o7777n), size: kind === 'f' ? Number(st.size) : 0, mtimeNs: st.mtimeNs,
      uid: Number(st.uid), gid: Number(st.gid), ino: st.ino, ctimeNs: st.ctimeNs, linkname: kind === 'l' ? readlinkSync(abs) : undefined,
    });
  }
  if (stdinDockerfile) {
    const now = BigInt(Date.now()) * 1_000_000n;
    entries.push({ path: name, kind: 'f', mode: 0o600, size: stdinDockerfile.length, mtimeNs: now, uid: 0, gid: 0, ino: 0n, ctimeNs: now, inline: stdinDockerfile });
  }
  return { dir, dockerfile: name, entries };
}

/** The plan as berth's context-sync manifest (src/api/context-sync.ts). */
export function manifestOf(plan: ContextPlan): ManifestEntry[] {
  return plan.entries.map((e) => {
    const m: ManifestEntry = [e.path, e.kind, e.mode, e.size, String(e.mtimeNs), e.uid, e.gid, String(e.ino), String(e.ctimeNs)];
    if (e.linkname !== undefined) m.push(e.linkname);
    return m;
  });
}

/** A stable id for a context directory on this host: what berthd keeps its files under. */
export function contextId(dir: string): string {
  return createHash('sha256').update(`${hostname()}\0${dir}`).digest('hex');
}

/**
 * The plan as a tar: every entry (owners reset to root, mtimes in whole seconds, as the
 * docker CLI sends them), or with `only` just those files (berth's context delta).
 */
export function packContext(plan: ContextPlan, only?: number[]): { tar: Readable; size(): number } {
  let total = 0;
  const list = only ? only.map((i) => plan.entries[i]!) : plan.entries;
  async function* gen(): AsyncGenerator<Buffer> {
    let buf = Buffer.allocUnsafe(BATCH);
    let used = 0;
    const flush = (): Buffer => {
      const out = buf.subarray(0, used);
      total += used;
      buf = Buffer.allocUnsafe(BATCH);
      used = 0;
      return out;
    };
    const put = function* (b: Buffer): Generator<Buffer> {
      for (let off = 0; off < b.length;) {
        if (used === BATCH) yield flush();
        const n = b.copy(buf, used, off);
        used += n;
        off += n;
      }
    };
    for (const e of list) {
      const h: TarWriteHeader = { name: e.path, type: 'file', mode: e.mode, uid: 0, gid: 0, size: 0, mtime: Number(e.mtimeNs / 1_000_000_000n), linkname: '' };
      if (e.kind === 'd') yield* put(encodeHeader({ ...h, name: `${e.path}/`, type: 'directory' }));
      else if (e.kind === 'l') yield* put(encodeHeader({ ...h, type: 'symlink', linkname: e.linkname! }));
      else {
        yield* put(encodeHeader({ ...h, size: e.size }));
        if (e.inline) yield* put(e.inline);
        else if (e.size > 0) yield* readInto(e);
        const pad = (BLOCK - (e.size % BLOCK)) % BLOCK;
        if (pad) yield* put(Buffer.alloc(pad));
      }
    }
    yield* put(Buffer.alloc(BLOCK * 2));
    if (used) yield flush();

    /** The file's bytes straight into the batch buffer. */
    function* readInto(e: PlannedEntry): Generator<Buffer> {
      const fd = openSync(`${plan.dir}/${e.path}`, 'r');
      try {
        for (let left = e.size; left > 0;) {
          if (used === BATCH) yield flush();
          const n = readSync(fd, buf, used, Math.min(BATCH - used, left), null);
          if (n === 0) throw new Error(`${e.path} changed while it was read`);
          used += n;
          left -= n;
        }
      } finally {
        closeSync(fd);
      }
    }
  }
  return { tar: Readable.from(gen(), { objectMode: false }), size: () => total };
}

/**
 * The directory as the docker CLI sends it (planContext, then the whole tar).
 *
 * @example const { tar, dockerfile } = await contextTar('.', 'Dockerfile');
 */
export async function contextTar(dir: string, dockerfile: string, stdinDockerfile?: Buffer): Promise<ContextTar> {
  const plan = planContext(dir, dockerfile, stdinDockerfile);
  const { tar, size } = packContext(plan);
  return { tar, dockerfile: plan.dockerfile, size };
}
