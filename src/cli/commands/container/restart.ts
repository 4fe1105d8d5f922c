import type { Command } from 'commander';
import { containerRestart } from '../../../api-client/containers.js';
import { int } from '../../argv.js';
import type { CliContext } from '../../context.js';
import { forEachTarget } from '../for-each-target.js';

/** `berth restart [-t N] [-s SIG] CONTAINER...` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('restart')
    .description('Restart one or more containers')
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .argument('<container...>')
    .option('-s, --signal <string>', 'Signal to send to the container')
    .option('-t, --timeout <int>', 'Seconds to wait before killing the container', int)
    .action(async (names: string[], o: { signal?: string; timeout?: number }) => {
      const t = await ctx.transport();
      await forEachTarget(ctx, names, (n) => containerRestart(t, n, { timeout: o.timeout, signal: o.signal }));
    });
}
