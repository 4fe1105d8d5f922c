import type { Command } from 'commander';
import { collect } from '../../argv.js';
import type { CliContext } from '../../context.js';
import { parseFormat, renderFormat } from '../../format/formatter.js';
import { parseFilterFlags } from '../prompt.js';
import { encodeFilters } from '../../../api-client/system.js';
import { registryAuthFor } from '../registry/docker-config.js';

interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}

const SEARCH_TABLE = '{{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}';
const HEADERS = { Name: 'NAME', Description: 'DESCRIPTION', StarCount: 'STARS', IsOfficial: 'OFFICIAL', IsAutomated: 'AUTOMATED' };

/** docker's search row: description one line, cut at 45 runes with `…` unless --no-trunc; `[OK]` marks. */
function row(r: SearchResult, trunc: boolean): Record<string, unknown> {
  let desc = r.description.replace(/\n/g, ' ');
  if (trunc && [...desc].length > 45) desc = `${[...desc].slice(0, 44).join('')}…`;
  return { Name: r.name, Description: desc, StarCount: String(r.star_count), IsOfficial: r.is_official ? '[OK]' : '', IsAutomated: r.is_automated ? '[OK]' : '' };
}

/** `berth search [--limit N] [-f k=v] [--format F] [--no-trunc] TERM` (GET /images/search). */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('search')
    .description('Search Docker Hub for images')
    .usage('[OPTIONS] TERM')
    .argument('<term>')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
    .option('--format <string>', 'Pretty-print search using a Go template')
    .option('--limit <int>', 'Max number of search results')
    .option('--no-trunc', "Don't truncate output")
    .action(async (term: string, o: { filter?: string[]; format?: string; limit?: string; trunc: boolean }) => {
      const t = await ctx.transport();
      const auth = registryAuthFor(term);
      const results = (await t.json('/images/search', {
        query: { term, limit: o.limit, filters: encodeFilters(parseFilterFlags(o.filter)) },
        headers: auth ? { 'X-Registry-Auth': auth } : {},
      })) as SearchResult[];
      const fmt = parseFormat(o.format, SEARCH_TABLE);
      ctx.out(renderFormat(fmt, (results ?? []).map((r) => row(r, o.trunc)), HEADERS, { typeName: '*registry.searchContext' }));
    });
}
