import { readBody } from './http-request.js';
import { responseError } from './registry-errors.js';
import type { RegistrySession } from './registry-session.js';

/** Every tag of a repository (`GET /v2/<name>/tags/list`, following `Link: <...>; rel="next"`), sorted. */
export async function listTags(session: RegistrySession, repo: string): Promise<string[]> {
  const tags: string[] = [];
  let next: string | undefined = `/v2/${repo}/tags/list?n=1000`;
  for (let page = 0; next && page < 100; page++) {
    const res = await session.request(next, { scopes: [`repository:${repo}:pull`], follow: true });
    if (res.statusCode !== 200) throw await responseError(res);
    const body = JSON.parse((await readBody(res, 16 << 20)).toString('utf8')) as { tags?: string[] | null };
    tags.push(...(body.tags ?? []));
    const link = /<([^>]+)>;\s*rel="?next"?/.exec(String(res.headers.link ?? ''));
    next = link?.[1];
  }
  return tags.sort();
}
