import type { Command } from 'commander';
import { networkList } from '../../../api-client/networks.js';
import type { CliContext } from '../../context.js';
import { parseFormat, renderFormat } from '../../format/formatter.js';
import { naturalCompare } from '../../format/natural-sort.js';
import { NETWORKS_HEADERS, NETWORKS_TABLE, networkContext } from '../../format/network-context.js';
import { requireArgs } from '../arity.js';
import { filterFlag } from './filter-flag.js';

/** `berth network ls [-q] [--no-trunc] [-f k=v] [--format F]`, sorted by name like docker. */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('ls')
    .description('List networks')
    .usage('[OPTIONS]')
    .argument('[args...]')
    .option('-f, --filter <filter>', 'Provide filter values (e.g. "driver=bridge")', filterFlag('-f, --filter'))
    .option('--format <string>', "Format output using a custom template:\n'table':            Print output in table format with column headers (default)\n'table TEMPLATE':   Print output in table format using the given Go template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.\nRefer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates")
    .option('--no-trunc', 'Do not truncate the output')
    .option('-q, --quiet', 'Only display network IDs')
    .action(async (args: string[], o: { filter?: Record<string, string[]>; format?: string; trunc: boolean; quiet?: boolean }, cmd: Command) => {
      requireArgs(cmd, args, 'none');
      const list = await networkList(await ctx.transport(), { filters: o.filter });
      list.sort((a, b) => naturalCompare(a.Name, b.Name));
      const format = o.format ?? '';
      let fmt = parseFormat(format === 'raw' ? (o.quiet ? 'network_id: {{.ID}}' : RAW) : format, NETWORKS_TABLE);
      if (o.quiet && (format === '' || format === 'table')) fmt = { table: false, template: '{{.ID}}' };
      ctx.out(renderFormat(fmt, list.map((n) => networkContext(n, { trunc: o.trunc })), NETWORKS_HEADERS, { typeName: '*network.networkContext' }));
    });
}

const RAW = 'network_id: {{.ID}}\\nname: {{.Name}}\\ndriver: {{.Driver}}\\nscope: {{.Scope}}\\n';
