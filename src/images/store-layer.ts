import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { PassThrough, Readable } from 'node:stream';
import { sha256, type Digest } from '../shared/digest.js';
import { EngineError } from '../shared/errors.js';
import { span } from '../shared/trace-timing.js';
import type { ImageServiceDeps } from './deps.js';
import { activeExtracts, EXTRACT_PREFIX, withChainLock } from './unpack.js';

/** What a stored layer is: its DiffID (= blob digest, the tar is kept plain) and byte count. */
export interface StoredLayer {
  diffId: Digest;
  size: number;
  /** The sum of its entries' sizes (Docker's layer size), when it was unpacked while stored. */
  contentSize?: number;
}

/** DiffID of a layer tar with no entries (two zero blocks): Docker adds no layer for it. */
export const EMPTY_LAYER_DIFF_ID = 'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef';

const WRITE_BLOCK = 1 << 20;

/** Chunks gathered into blocks of about `size` bytes (fewer, larger writes for a tar of many small entries). */
async function* coalesce(src: AsyncIterable<Buffer | string>, size: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let have = 0;
  for await (const c of src) {
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    if (have === 0 && b.length >= size) {
      yield b;
      continue;
    }
    parts.push(b);
    have += b.length;
    if (have >= size) {
      yield Buffer.concat(parts, have);
      parts = [];
      have = 0;
    }
  }
  if (have) yield Buffer.concat(parts, have);
}

/**
 * Writes a layer tar into the content store (plain: its digest is the DiffID). With
 * `unpackOnto` (the parent's top ChainID, null for a first layer) the same bytes are also
 * applied, as they pass, into a new snapshot that is committed under the layer's ChainID,
 * so registering the image finds the layer unpacked and reads nothing twice. The snapshot
 * is made like unpackImage's (a temporary `extract-` key, GC leaves it alone; removed on
 * failure; an existing chain wins).
 *
 * @example const { diffId } = await storeLayer(deps, tar, parentChainId);
 */
export async function storeLayer(deps: ImageServiceDeps, layer: Readable, unpackOnto?: string | null): Promise<StoredLayer> {
  const t = span('storeLayer');
  const writer = await deps.content.openWriter({ ref: `commit-${randomBytes(8).toString('hex')}` });
  let apply: Applying | undefined;
  let size = 0;
  try {
    const teed = async function* (): AsyncGenerator<Buffer> {
      const blocks = coalesce(layer, WRITE_BLOCK)[Symbol.asyncIterator]();
      // the first two blocks decide: a layer without entries (a RUN that changed nothing) is
      // exactly two zero blocks, and gets no snapshot
      const head: Buffer[] = [];
      for (let i = 0; i < 2; i++) {
        const r = await blocks.next();
        if (r.done) break;
        head.push(r.value);
      }
      const empty = head.length === 1 && isEmptyTar(head[0]!);
      // without the parent's snapshot (or when preparing fails) registering the image unpacks as a pull does
      if (unpackOnto !== undefined && !empty) apply = await startApply(deps, unpackOnto).catch(() => undefined);
      const pass = async (b: Buffer): Promise<Buffer> => {
        size += b.length;
        if (apply) await apply.feed(b);
        return b;
      };
      for (const b of head) yield await pass(b);
      for (let r = await blocks.next(); !r.done; r = await blocks.next()) yield await pass(r.value);
      apply?.end();
    };
    await writer.pipeFrom(Readable.from(teed()));
    t.mark('write');
    const diffId = await writer.commit();
    t.mark('commit');
    const contentSize = apply ? await apply.finish(diffId, size) : undefined;
    t.mark('apply');
    t.end();
    return { diffId, size, ...(contentSize !== undefined ? { contentSize } : {}) };
  } catch (err) {
    layer.destroy();
    await apply?.abort();
    await writer.abort().catch(() => undefined);
    throw EngineError.is(err) ? err : EngineError.wrap('internal', 'failed to store layer', err);
  }
}

/** A tar of no entries: the two zero blocks that end an archive, nothing else. */
const isEmptyTar = (b: Buffer): boolean => b.length === 1024 && b.every((x) => x === 0);

interface Applying {
  feed(b: Buffer): Promise<void>;
  end(): void;
  /**
   * Waits for the apply, checks it saw as many bytes as were stored (the same ones: one
   * hash, the writer's, serves both), commits the snapshot as the layer's chain; resolves
   * with the layer's content size when the apply measured it.
   */
  finish(diffId: Digest, size: number): Promise<number | undefined>;
  abort(): Promise<void>;
}

async function startApply(deps: ImageServiceDeps, parent: string | null): Promise<Applying> {
  const { snapshotter, archive } = deps;
  const tmpKey = `${EXTRACT_PREFIX}${randomBytes(6).toString('hex')}-commit`;
  activeExtracts.add(tmpKey);
  let donor: string | undefined;
  try {
    if (parent !== null && (await snapshotter.stat(parent))?.kind !== 'committed') throw new EngineError('not-found', `snapshot ${parent} is not committed`);
    await snapshotter.prepare(tmpKey, parent);
    donor = await siblingLayer(snapshotter, parent);
  } catch (err) {
    activeExtracts.delete(tmpKey);
    throw EngineError.is(err) ? err : EngineError.wrap('internal', 'failed to prepare snapshot for layer', err);
  }
  const pass = new PassThrough({ highWaterMark: 4 * WRITE_BLOCK });
  let failed: unknown;
  const applying = archive.applyLayer(pass, snapshotter.upperDir(tmpKey), { whiteoutFormat: 'overlay', digest: false, ...(donor ? { donor } : {}) });
  const settled = applying.then(() => undefined, (err: unknown) => {
    failed = err;
  });
  const drop = async (): Promise<void> => {
    pass.destroy();
    await settled;
    await snapshotter.remove(tmpKey).catch(() => undefined);
    activeExtracts.delete(tmpKey);
  };
  return {
    async feed(b) {
      if (failed) throw failed;
      if (!pass.write(b)) await Promise.race([once(pass, 'drain'), settled]);
      if (failed) throw failed;
    },
    end() {
      pass.end();
    },
    async finish(diffId, size) {
      await settled;
      if (failed) {
        await drop();
        throw failed;
      }
      const applied = await applying;
      if (applied.size !== size) {
        await drop();
        throw new EngineError('internal', `layer changed while it was stored: ${applied.size} bytes applied, ${size} stored`);
      }
      if (diffId === EMPTY_LAYER_DIFF_ID) {
        await drop();
        return 0;
      }
      const chain = parent === null ? diffId : sha256(`${parent} ${diffId}`);
      await withChainLock(chain, async () => {
        if ((await snapshotter.stat(chain))?.kind === 'committed') await snapshotter.remove(tmpKey).catch(() => undefined);
        else await snapshotter.commit(chain, tmpKey);
      }).catch(async (err: unknown) => {
        await snapshotter.remove(tmpKey).catch(() => undefined);
        throw err;
      }).finally(() => activeExtracts.delete(tmpKey));
      return applied.contentSize;
    },
    abort: drop,
  };
}

/**
 * The directory of the newest committed layer on the same parent, if any: a rebuild's layer
 * is mostly its predecessor's files, which the apply then hard-links instead of writing
 * (archive/link-donor.ts checks every byte first).
 */
async function siblingLayer(snapshotter: ImageServiceDeps['snapshotter'], parent: string | null): Promise<string | undefined> {
  let best: { key: string; created: string } | undefined;
  for (const s of await snapshotter.list()) {
    if (s.kind === 'committed' && s.parent === parent && (!best || s.created > best.created)) best = s;
  }
  return best ? snapshotter.upperDir(best.key) : undefined;
}
