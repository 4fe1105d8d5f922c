import type { Command } from 'commander';
import { networkPrune } from '../../../api-client/networks.js';
import type { CliContext } from '../../context.js';
import { requireArgs } from '../arity.js';
import { confirm } from '../prompt.js';
import { filterFlag } from './filter-flag.js';

const WARNING = 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ';

/** `berth network prune [-f] [--filter k=v]`: prints `Deleted Networks:` and the names, then a blank line. */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('prune')
    .description('Remove all unused networks')
    .usage('[OPTIONS]')
    .argument('[args...]')
    .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', filterFlag('--filter'))
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(async (args: string[], o: { filter?: Record<string, string[]>; force?: boolean }, cmd: Command) => {
      requireArgs(cmd, args, 'none');
      if (!o.force && !(await confirm(ctx, WARNING))) return;
      const r = await networkPrune(await ctx.transport(), o.filter);
      const names = r.NetworksDeleted ?? [];
      if (names.length) ctx.out(`Deleted Networks:\n${names.map((n) => `${n}\n`).join('')}\n`);
    });
}
