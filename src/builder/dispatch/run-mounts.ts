import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../../shared/digest.js';
import { invalid } from '../../shared/errors.js';
import type { BuildContext } from '../context/build-context.js';
import type { BuildMount } from './ports.js';

export interface RunMountSources {
  secrets: Record<string, string>;
  cacheRoot?: string;
  ctx: BuildContext;
  /** Host path of `path` in a stage or image (`type=bind,from=`). */
  fromImage?(from: string, path: string): Promise<string>;
}

function fields(raw: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const part of raw.split(',')) {
    if (!part) continue;
    const i = part.indexOf('=');
    m.set((i < 0 ? part : part.slice(0, i)).toLowerCase(), i < 0 ? 'true' : part.slice(i + 1));
  }
  return m;
}

const truthy = (v: string | undefined): boolean => v !== undefined && v !== 'false' && v !== '0';

/**
 * `RUN --mount=...` to container mounts: `type=cache` a persistent directory per id under
 * the cache root (never part of the image), `type=bind` a context path (read-only unless
 * `rw`; with `from=` a copy of that path of a stage or image), `type=secret` the build's
 * secret file, `type=tmpfs` an empty tmpfs.
 *
 * @example await runMounts(['type=cache,target=/root/.cache'], { secrets: {}, cacheRoot, ctx })
 */
export async function runMounts(raw: string[], src: RunMountSources): Promise<BuildMount[]> {
  const out = await Promise.all(raw.map(async (r): Promise<BuildMount | undefined> => {
    const f = fields(r);
    const type = f.get('type') ?? 'bind';
    const target = f.get('target') ?? f.get('dst') ?? f.get('destination');
    if (type === 'secret') {
      const id = f.get('id') ?? (target ? target.split('/').pop()! : '');
      const file = src.secrets[id];
      if (!file) {
        if (truthy(f.get('required'))) throw invalid(`secret ${id} not found`);
        return undefined;
      }
      return { type: 'bind', source: file, target: target ?? `/run/secrets/${id}`, readOnly: true } satisfies BuildMount;
    }
    if (!target) throw invalid(`mount ${r}: target is required`);
    if (type === 'cache') {
      if (!src.cacheRoot) throw invalid('cache mounts are not available');
      const id = f.get('id') ?? target;
      const dir = join(src.cacheRoot, sha256(id).slice(7, 39));
      mkdirSync(dir, { recursive: true });
      return { type: 'bind', source: dir, target, readOnly: truthy(f.get('readonly') ?? f.get('ro')) } satisfies BuildMount;
    }
    if (type === 'tmpfs') return { type: 'tmpfs', target } satisfies BuildMount;
    if (type === 'bind') {
      const path = f.get('source') ?? f.get('src') ?? '';
      const from = f.get('from');
      if (from !== undefined && !src.fromImage) throw invalid('RUN --mount=type=bind,from= is not available');
      const source = from !== undefined ? await src.fromImage!(from, path) : await src.ctx.hostPath(path);
      return { type: 'bind', source, target, readOnly: !truthy(f.get('rw') ?? f.get('readwrite')) } satisfies BuildMount;
    }
    throw invalid(`unsupported mount type ${type}`);
  }));
  return out.filter((m): m is BuildMount => m !== undefined);
}
