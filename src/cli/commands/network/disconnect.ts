import type { Command } from 'commander';
import { networkDisconnect } from '../../../api-client/networks.js';
import type { CliContext } from '../../context.js';
import { requireArgs } from '../arity.js';

/** `berth network disconnect [-f] NETWORK CONTAINER` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('disconnect')
    .description('Disconnect a container from a network')
    .usage('[OPTIONS] NETWORK CONTAINER')
    .argument('[args...]')
    .option('-f, --force', 'Force the container to disconnect from a network')
    .action(async (args: string[], o: { force?: boolean }, cmd: Command) => {
      requireArgs(cmd, args, { exact: 2 });
      await networkDisconnect(await ctx.transport(), args[0]!, args[1]!, !!o.force);
    });
}
