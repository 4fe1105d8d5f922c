import type { Command } from 'commander';
import { containerUnpause } from '../../../api-client/containers.js';
import type { CliContext } from '../../context.js';
import { forEachTarget } from '../for-each-target.js';

/** `berth unpause CONTAINER...` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('unpause')
    .description('Unpause all processes within one or more containers')
    .usage('CONTAINER [CONTAINER...]')
    .argument('<container...>')
    .action(async (names: string[]) => {
      const t = await ctx.transport();
      await forEachTarget(ctx, names, (n) => containerUnpause(t, n));
    });
}
