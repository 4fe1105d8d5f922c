import type { Command } from 'commander';
import { networkInspectRaw } from '../../../api-client/networks.js';
import type { CliContext } from '../../context.js';
import { networkView } from '../../format/network-view.js';
import { requireArgs } from '../arity.js';
import { inspectRaw } from '../system/inspect-raw.js';

/** `berth network inspect [-f FORMAT] [-v] NETWORK...` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('inspect')
    .description('Display detailed information on one or more networks')
    .usage('[OPTIONS] NETWORK [NETWORK...]')
    .argument('[networks...]')
    .option('-f, --format <string>', "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.\nRefer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates")
    .option('-v, --verbose', 'Verbose output for diagnostics')
    .action(async (names: string[], o: { format?: string; verbose?: boolean }, cmd: Command) => {
      requireArgs(cmd, names, { min: 1 });
      const t = await ctx.transport();
      await inspectRaw(ctx, names, o.format, (n) => networkInspectRaw(t, n, { verbose: o.verbose }), networkView);
    });
}
