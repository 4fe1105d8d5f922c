import type { Command } from 'commander';
import { volumeRemove } from '../../../api-client/volumes.js';
import type { CliContext } from '../../context.js';
import { requireArgs } from '../arity.js';
import { forEachTarget } from '../for-each-target.js';

/** `berth volume rm [-f] VOLUME...`: prints each removed name; failures at the end, exit 1. */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('rm')
    .description('Remove one or more volumes')
    .usage('[OPTIONS] VOLUME [VOLUME...]')
    .argument('[volumes...]')
    .option('-f, --force', 'Force the removal of one or more volumes')
    .action(async (names: string[], o: { force?: boolean }, cmd: Command) => {
      requireArgs(cmd, names, { min: 1 });
      const t = await ctx.transport();
      await forEachTarget(ctx, names, (n) => volumeRemove(t, n, Boolean(o.force)));
    });
}
