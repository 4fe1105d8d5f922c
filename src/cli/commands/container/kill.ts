import type { Command } from 'commander';
import { containerKill } from '../../../api-client/containers.js';
import type { CliContext } from '../../context.js';
import { forEachTarget } from '../for-each-target.js';

/** `berth kill [-s SIG] CONTAINER...` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('kill')
    .description('Kill one or more running containers')
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .argument('<container...>')
    .option('-s, --signal <string>', 'Signal to send to the container')
    .action(async (names: string[], o: { signal?: string }) => {
      const t = await ctx.transport();
      await forEachTarget(ctx, names, (n) => containerKill(t, n, o.signal));
    });
}
