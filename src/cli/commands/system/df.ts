import type { Command } from 'commander';
import { diskUsage } from '../../../api-client/disk-usage.js';
import type { CliContext } from '../../context.js';
import { renderDiskUsage } from '../../format/disk-usage.js';
import { requireArgs } from '../arity.js';

/** `berth system df [-v] [--format F]` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('df')
    .description('Show berth disk usage')
    .usage('[OPTIONS]')
    .argument('[args...]')
    .option('--format <string>', "Format output using a custom template:\n'table':            Print output in table format with column headers (default)\n'table TEMPLATE':   Print output in table format using the given Go template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.\nRefer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates")
    .option('-v, --verbose', 'Show detailed information on space usage')
    .action(async (args: string[], o: { format?: string; verbose?: boolean }, cmd: Command) => {
      requireArgs(cmd, args, 'none');
      const du = await diskUsage(await ctx.transport());
      ctx.out(renderDiskUsage(du, o.format, !!o.verbose));
    });
}
