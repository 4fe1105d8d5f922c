import type { Command } from 'commander';
import { containerWait } from '../../../api-client/containers.js';
import type { CliContext } from '../../context.js';
import { forEachTarget } from '../for-each-target.js';

/** `berth wait CONTAINER...`: prints each exit code. */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('wait')
    .description('Block until one or more containers stop, then print their exit codes')
    .usage('CONTAINER [CONTAINER...]')
    .argument('<container...>')
    .action(async (names: string[]) => {
      const t = await ctx.transport();
      await forEachTarget(ctx, names, async (n) => {
        const r = await containerWait(t, n);
        if (r.Error?.Message) throw new Error(r.Error.Message);
        return String(r.StatusCode);
      });
    });
}
