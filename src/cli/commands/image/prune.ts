import type { Command } from 'commander';
import { imagePrune } from '../../../api-client/images.js';
import { collect } from '../../argv.js';
import type { CliContext } from '../../context.js';
import { humanSize } from '../../format/units.js';
import { confirm, parseFilterFlags } from '../prompt.js';

/** `berth image prune [-a] [-f] [--filter k=v]` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('prune')
    .description('Remove unused images')
    .usage('[OPTIONS]')
    .option('-a, --all', 'Remove all unused images, not just dangling ones')
    .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collect)
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(async (o: { all?: boolean; filter?: string[]; force?: boolean }) => {
      const warning = o.all
        ? 'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue? [y/N] '
        : 'WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] ';
      if (!o.force && !(await confirm(ctx, warning))) return;
      const filters = parseFilterFlags(o.filter) ?? {};
      filters.dangling = [String(!o.all)];
      const r = await imagePrune(await ctx.transport(), filters);
      const items = r.ImagesDeleted ?? [];
      let out = '';
      if (items.length) {
        out += 'Deleted Images:\n';
        for (const i of items) out += i.Untagged ? `untagged: ${i.Untagged}\n` : `deleted: ${i.Deleted}\n`;
        out += '\n';
      }
      out += `Total reclaimed space: ${humanSize(r.SpaceReclaimed ?? 0, 4)}\n`;
      ctx.out(out);
    });
}
