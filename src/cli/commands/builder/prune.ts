import type { Command } from 'commander';
import { buildCachePrune } from '../../../api-client/disk-usage.js';
import type { CliContext } from '../../context.js';
import { humanSize, parseRamBytes } from '../../format/units.js';
import { requireArgs } from '../arity.js';
import { filterFlag } from '../network/filter-flag.js';
import { confirm } from '../prompt.js';

/** Flags of `builder prune` after parsing. */
interface BuilderPruneFlags {
  all?: boolean;
  filter?: Record<string, string[]>;
  force?: boolean;
  keepStorage?: string;
}

/**
 * `berth builder prune [-a] [-f] [--filter k=v] [--keep-storage BYTES]`, as docker's: a prompt
 * (dangling or all build cache), the deleted cache ids, the total reclaimed space.
 */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('prune')
    .description('Remove build cache')
    .usage(' ')
    .argument('[args...]')
    .option('-a, --all', 'Remove all unused build cache, not just dangling ones')
    .option('--filter <filter>', 'Provide filter values (e.g. "until=24h")', filterFlag('--filter'))
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--keep-storage <bytes>', 'Amount of disk space to keep for cache')
    .action(async (args: string[], o: BuilderPruneFlags, cmd: Command) => {
      requireArgs(cmd, args, 'none');
      const what = o.all ? 'all build cache' : 'all dangling build cache';
      if (!o.force && !(await confirm(ctx, `WARNING! This will remove ${what}. Are you sure you want to continue? [y/N] `))) return;
      const r = await buildCachePrune(await ctx.transport(), { all: o.all, filters: o.filter, keepStorage: o.keepStorage ? parseRamBytes(o.keepStorage) : undefined });
      const deleted = r.CachesDeleted ?? [];
      if (deleted.length) ctx.out(`Deleted build cache objects:\n${deleted.map((id) => `${id}\n`).join('')}\n`);
      ctx.out(`Total reclaimed space: ${humanSize(r.SpaceReclaimed, 4)}\n`);
    });
}
