import type { RegistryStorage } from './registry-storage.js';

/** Docker Hub's v1 search reply, which `docker search` reads. */
export interface SearchReply {
  num_results: number;
  query: string;
  results: { name: string; description: string; star_count: number; is_official: boolean; is_automated: boolean }[];
}

/** Substring match over repository names, as `docker search TERM` expects. */
export async function searchRepositories(store: RegistryStorage, query: string, limit: number): Promise<SearchReply> {
  const q = query.toLowerCase();
  const names = (await store.repos.names()).filter((n) => n.includes(q)).slice(0, Math.max(1, Math.min(limit || 25, 100)));
  const results = [];
  for (const name of names) {
    const repo = await store.repos.read(name);
    const description = repo ? `${Object.keys(repo.tags).length} tag(s)` : '';
    results.push({ name, description, star_count: 0, is_official: false, is_automated: false });
  }
  return { num_results: results.length, query, results };
}
