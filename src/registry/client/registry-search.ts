import { EngineError, invalid } from '../../shared/errors.js';
import type { Filters } from '../../shared/filters.js';
import type { AuthConfig } from './auth-config.js';
import { readBody } from './http-request.js';
import { responseError } from './registry-errors.js';
import { RegistrySession } from './registry-session.js';

/** One `GET /images/search` result (Docker's shape). */
export interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}

/** `127.0.0.1:5000/busy` -> registry `127.0.0.1:5000`, term `busy`; plain terms go to docker.io. */
export function splitSearchTerm(term: string): { domain: string; query: string } {
  const i = term.indexOf('/');
  const first = i < 0 ? '' : term.slice(0, i);
  if (i > 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) return { domain: first, query: term.slice(i + 1) };
  return { domain: 'docker.io', query: term };
}

const FILTERS = new Set(['is-official', 'is-automated', 'stars']);

function applyFilters(results: SearchResult[], filters: Filters | undefined): SearchResult[] {
  if (!filters) return results;
  for (const k of filters.keys()) if (!FILTERS.has(k)) throw invalid(`invalid filter '${k}'`);
  const bool = (k: string): boolean | undefined => {
    const v = filters.get(k)?.[0];
    if (v === undefined) return undefined;
    if (v !== 'true' && v !== 'false' && v !== '1' && v !== '0') throw invalid(`invalid filter '${k}=${v}'`);
    return v === 'true' || v === '1';
  };
  const official = bool('is-official');
  const automated = bool('is-automated');
  const starsS = filters.get('stars')?.[0];
  const stars = starsS === undefined ? 0 : Number(starsS);
  if (!Number.isInteger(stars)) throw invalid(`invalid filter 'stars=${starsS}'`);
  return results.filter((r) => (official === undefined || r.is_official === official) && (automated === undefined || r.is_automated === automated) && r.star_count >= stars);
}

/**
 * `docker search` on the daemon side: queries the registry's v1 search endpoint
 * (`/v1/search?q=&n=`) and applies Docker's filters.
 */
export async function searchImages(
  opts: { term: string; limit?: number; filters?: Filters; auth?: AuthConfig },
  insecureRegistries: readonly string[],
): Promise<SearchResult[]> {
  const { domain, query } = splitSearchTerm(opts.term);
  const limit = opts.limit || 25;
  if (limit < 1 || limit > 100) throw invalid(`Limit ${limit} is outside the range of [1, 100]`);
  const session = new RegistrySession({ domain, auth: opts.auth, insecureRegistries });
  const res = await session.request(`/v1/search?q=${encodeURIComponent(query)}&n=${limit}`, { follow: true });
  if (res.statusCode !== 200) {
    const err = await responseError(res);
    throw new EngineError(err.kind === 'not-found' ? 'unavailable' : err.kind, `Unexpected status code ${res.statusCode}: ${err.message}`);
  }
  const body = JSON.parse((await readBody(res, 8 << 20)).toString('utf8')) as { results?: Partial<SearchResult>[] };
  const results = (body.results ?? []).map((r) => ({
    name: String(r.name ?? ''),
    description: String(r.description ?? ''),
    star_count: Number(r.star_count ?? 0),
    is_official: !!r.is_official,
    is_automated: !!r.is_automated,
  }));
  return applyFilters(results, opts.filters).slice(0, limit);
}
