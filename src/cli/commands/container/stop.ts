import { type Command, Option } from 'commander';
import { containerStop } from '../../../api-client/containers.js';
import { int } from '../../argv.js';
import type { CliContext } from '../../context.js';
import { forEachTarget } from '../for-each-target.js';

/** `berth stop [-t N] [-s SIG] CONTAINER...` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('stop')
    .description('Stop one or more running containers')
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .argument('<container...>')
    .option('-s, --signal <string>', 'Signal to send to the container')
    .option('-t, --timeout <int>', 'Seconds to wait before killing the container', int)
    .addOption(new Option('--time <int>', 'Seconds to wait before killing the container (deprecated: use --timeout)').argParser(int).hideHelp())
    .action(async (names: string[], o: { signal?: string; timeout?: number; time?: number }) => {
      // pflag's notice for a deprecated flag, on stdout
      if (o.time !== undefined) ctx.out('Flag --time has been deprecated, use --timeout instead\n');
      if (o.timeout === undefined) o.timeout = o.time;
      const t = await ctx.transport();
      await forEachTarget(ctx, names, (n) => containerStop(t, n, { timeout: o.timeout, signal: o.signal }));
    });
}
