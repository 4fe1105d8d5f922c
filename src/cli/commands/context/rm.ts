import type { Command } from 'commander';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { DEFAULT_CONTEXT, currentContextName, readContext, removeContext, setCurrentContext } from './store.js';

/** `berth context rm [-f] CONTEXT...`: the one in use only with -f (then `default` is current again). */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('rm')
    .description('Remove one or more contexts')
    .usage('CONTEXT [CONTEXT...]')
    .argument('<contexts...>')
    .option('-f, --force', 'Force the removal of a context in use')
    .action((names: string[], o: { force?: boolean }) => {
      const current = currentContextName(ctx.context);
      const errors: string[] = [];
      for (const name of names) {
        if (name === DEFAULT_CONTEXT) errors.push(`context "${name}" cannot be removed`);
        else if (!readContext(name)) {
          // -f makes a missing one a no-op, named like a removed one
          if (o.force) ctx.out(`${name}\n`);
          else errors.push(`context "${name}" does not exist`);
        }
        else if (name === current && !o.force) errors.push(`context "${name}" is in use, set -f flag to force remove`);
        else {
          if (name === current) setCurrentContext(DEFAULT_CONTEXT);
          removeContext(name);
          ctx.out(`${name}\n`);
        }
      }
      if (errors.length) throw new CliError(1, errors.join('\n'));
    });
}
