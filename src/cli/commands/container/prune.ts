import type { Command } from 'commander';
import { containerPrune } from '../../../api-client/containers.js';
import { collect } from '../../argv.js';
import type { CliContext } from '../../context.js';
import { humanSize } from '../../format/units.js';
import { confirm, parseFilterFlags } from '../prompt.js';

/** `berth container prune [-f] [--filter k=v]` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('prune')
    .description('Remove all stopped containers')
    .usage('[OPTIONS]')
    .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collect)
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(async (o: { filter?: string[]; force?: boolean }) => {
      const warning = 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ';
      if (!o.force && !(await confirm(ctx, warning))) return;
      const r = await containerPrune(await ctx.transport(), parseFilterFlags(o.filter));
      const deleted = r.ContainersDeleted ?? [];
      let out = '';
      if (deleted.length) out += `Deleted Containers:\n${deleted.map((d) => `${d}\n`).join('')}\n`;
      out += `Total reclaimed space: ${humanSize(r.SpaceReclaimed ?? 0, 4)}\n`;
      ctx.out(out);
    });
}
