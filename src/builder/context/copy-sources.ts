import { invalid, notFound } from '../../shared/errors.js';
import { cleanRelative, walkOrder, type ContextEntry, type EntryType } from './context-entry.js';
import { hasWildcards, pathMatch } from './path-match.js';
import { resolveInContext } from './scoped-resolve.js';

/** One context path a COPY/ADD source stands for. */
export interface CopySource {
  /** The source as matched (relative to the context, leading `/` and `./` removed). */
  source: string;
  /** Where it really is, symlinks followed inside the context ('' is the context root). */
  path: string;
  /** A directory copies its contents; a file copies itself. */
  type: Exclude<EntryType, 'symlink'>;
}

/**
 * Resolve COPY/ADD sources (already expanded) against the context with Docker's rules:
 * `/x` and `./x` mean `x`; a path that climbs out with `..` is refused; wildcards (Go's
 * filepath.Match on each path of the context, so `*` stays in one directory) select every
 * matching file and directory; symlinks named as sources are followed inside the context.
 *
 * @example resolveCopySources(entries, ['*.js', 'lib']);
 *   // [{ source: 'a.js', path: 'a.js', type: 'file' }, { source: 'lib', path: 'lib', type: 'dir' }]
 */
export function resolveCopySources(entries: ReadonlyMap<string, ContextEntry>, sources: string[]): CopySource[] {
  const out: CopySource[] = [];
  if (sources.length === 0) return out;
  for (const orig of sources) {
    let p = orig.length > 1 && orig.startsWith('/') ? orig.slice(1) : orig;
    if (p.startsWith('./')) p = p.slice(2);
    if (hasWildcards(p)) {
      const matches = [...entries.keys()].filter((rel) => pathMatch(p, rel)).sort(walkOrder);
      for (const rel of matches) out.push(resolveOne(entries, rel, rel));
    } else {
      out.push(resolveOne(entries, p, orig));
    }
  }
  if (out.length === 0) throw invalid('no source files were specified');
  return out;
}

function resolveOne(entries: ReadonlyMap<string, ContextEntry>, p: string, orig: string): CopySource {
  const clean = cleanRelative(p);
  if (clean === undefined) throw invalid(`forbidden path outside the build context: ${orig} ()`);
  const path = resolveInContext(entries, clean);
  if (path === '') return { source: clean, path, type: 'dir' };
  const e = entries.get(path);
  if (!e || e.type === 'symlink') {
    throw notFound(`file not found in build context or excluded by .dockerignore: stat ${p}: file does not exist`);
  }
  return { source: clean, path, type: e.type };
}
