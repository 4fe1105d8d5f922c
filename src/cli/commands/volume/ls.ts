import type { Command } from 'commander';
import { volumeList } from '../../../api-client/volumes.js';
import type { CliContext } from '../../context.js';
import { parseFormat, renderFormat } from '../../format/formatter.js';
import { naturalCompare } from '../../format/natural-sort.js';
import { VOLUMES_HEADERS, VOLUMES_QUIET, VOLUMES_RAW, VOLUMES_RAW_QUIET, VOLUMES_TABLE, volumeContext } from '../../format/volume-context.js';
import { requireArgs } from '../arity.js';
import { filterFlag } from '../network/filter-flag.js';

/** `berth volume ls [-q] [-f k=v] [--format F]`, sorted by name like docker. */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('ls')
    .description('List volumes')
    .usage('[OPTIONS]')
    .argument('[args...]')
    .option('-f, --filter <filter>', 'Provide filter values (e.g. "dangling=true")', filterFlag('-f, --filter'))
    .option('--format <string>', "Format output using a custom template:\n'table':            Print output in table format with column headers (default)\n'table TEMPLATE':   Print output in table format using the given Go template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.\nRefer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates")
    .option('-q, --quiet', 'Only display volume names')
    .action(async (args: string[], o: { filter?: Record<string, string[]>; format?: string; quiet?: boolean }, cmd: Command) => {
      requireArgs(cmd, args, 'none');
      const r = await volumeList(await ctx.transport(), { filters: o.filter });
      const vols = [...(r.Volumes ?? [])].sort((a, b) => naturalCompare(a.Name, b.Name));
      const format = o.format ?? '';
      let fmt;
      if (format === '' || format === 'table') fmt = o.quiet ? { table: false, template: VOLUMES_QUIET } : parseFormat('table', VOLUMES_TABLE);
      else if (format === 'raw') fmt = parseFormat(o.quiet ? VOLUMES_RAW_QUIET : VOLUMES_RAW, VOLUMES_TABLE);
      else fmt = parseFormat(format, VOLUMES_TABLE);
      ctx.out(renderFormat(fmt, vols.map(volumeContext), VOLUMES_HEADERS, { typeName: '*formatter.volumeContext' }));
    });
}
