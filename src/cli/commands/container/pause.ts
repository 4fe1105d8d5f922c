import type { Command } from 'commander';
import { containerPause } from '../../../api-client/containers.js';
import type { CliContext } from '../../context.js';
import { forEachTarget } from '../for-each-target.js';

/** `berth pause CONTAINER...` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('pause')
    .description('Pause all processes within one or more containers')
    .usage('CONTAINER [CONTAINER...]')
    .argument('<container...>')
    .action(async (names: string[]) => {
      const t = await ctx.transport();
      await forEachTarget(ctx, names, (n) => containerPause(t, n));
    });
}
