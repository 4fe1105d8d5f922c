import type { Command } from 'commander';
import { containerRename } from '../../../api-client/containers.js';
import type { CliContext } from '../../context.js';

/** `berth rename CONTAINER NEW_NAME` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('rename')
    .description('Rename a container')
    .usage('CONTAINER NEW_NAME')
    .argument('<container>')
    .argument('<new_name>')
    .action(async (name: string, next: string) => {
      await containerRename(await ctx.transport(), name, next);
    });
}
