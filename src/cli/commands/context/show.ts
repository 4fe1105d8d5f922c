import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { requireArgs } from '../arity.js';
import { currentContextName } from './store.js';

/** `berth context show`: the name of the context in use. */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('show')
    .description('Print the name of the current context')
    .usage(' ')
    .argument('[args...]')
    .action((args: string[], _o: unknown, cmd: Command) => {
      requireArgs(cmd, args, 'none');
      ctx.out(`${currentContextName(ctx.context)}\n`);
    });
}
