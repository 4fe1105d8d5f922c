import type { Command } from 'commander';
import { imageInspect } from '../../../api-client/images.js';
import type { CliContext } from '../../context.js';
import { inspectAll } from '../system/inspect-all.js';
import { FORMAT_HELP_JSON } from '../../format/formatter.js';

/** `berth image inspect [-f FORMAT] IMAGE...` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('inspect')
    .description('Display detailed information on one or more images')
    .usage('[OPTIONS] IMAGE [IMAGE...]')
    .argument('<image...>')
    .option('-f, --format <string>', FORMAT_HELP_JSON)
    .action(async (names: string[], o: { format?: string }) => {
      const t = await ctx.transport();
      await inspectAll(ctx, names, o.format, (n) => imageInspect(t, n), 'No such image');
    });
}
