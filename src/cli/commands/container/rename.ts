import type { Command } from 'commander';
import { containerRename } from '../../../api-client/containers.js';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { describeError } from '../for-each-target.js';

/** `berth rename CONTAINER NEW_NAME` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('rename')
    .description('Rename a container')
    .usage('CONTAINER NEW_NAME')
    .argument('<container>')
    .argument('<new_name>')
    .action(async (name: string, next: string) => {
      try {
        await containerRename(await ctx.transport(), name, next);
      } catch (e) {
        // docker adds its own line after the daemon's
        throw new CliError(1, `${await describeError(e)}\nError: failed to rename container named ${name}`);
      }
    });
}
