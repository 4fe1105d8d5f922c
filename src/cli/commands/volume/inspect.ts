import type { Command } from 'commander';
import { volumeInspectRaw } from '../../../api-client/volumes.js';
import type { CliContext } from '../../context.js';
import { volumeView } from '../../format/volume-context.js';
import { requireArgs } from '../arity.js';
import { inspectRaw } from '../system/inspect-raw.js';

/** `berth volume inspect [-f FORMAT] VOLUME...` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('inspect')
    .description('Display detailed information on one or more volumes')
    .usage('[OPTIONS] VOLUME [VOLUME...]')
    .argument('[volumes...]')
    .option('-f, --format <string>', "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.\nRefer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates")
    .action(async (names: string[], o: { format?: string }, cmd: Command) => {
      requireArgs(cmd, names, { min: 1 });
      const t = await ctx.transport();
      await inspectRaw(ctx, names, o.format, (n) => volumeInspectRaw(t, n), volumeView, { typeName: 'volume.Volume', noRaw: true });
    });
}
