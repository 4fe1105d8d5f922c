import type { Command } from 'commander';
import { containerInspect } from '../../../api-client/containers.js';
import type { CliContext } from '../../context.js';
import { inspectAll } from '../system/inspect-all.js';
import { FORMAT_HELP_JSON } from '../../format/formatter.js';

/** `berth container inspect [-f FORMAT] [-s] CONTAINER...` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('inspect')
    .description('Display detailed information on one or more containers')
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .argument('<container...>')
    .option('-f, --format <string>', FORMAT_HELP_JSON)
    .option('-s, --size', 'Display total file sizes')
    .action(async (names: string[], o: { format?: string; size?: boolean }) => {
      const t = await ctx.transport();
      await inspectAll(ctx, names, o.format, (n) => containerInspect(t, n, { size: o.size }), 'No such container');
    });
}
