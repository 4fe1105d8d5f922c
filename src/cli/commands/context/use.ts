import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { hostOverrideWarning, mustRead, setCurrentContext } from './store.js';

/** `berth context use CONTEXT`: recorded in config.json for the berth and docker CLIs alike. */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('use')
    .description('Set the current docker context')
    .usage('CONTEXT')
    .argument('<context>')
    .action((name: string) => {
      mustRead(name);
      setCurrentContext(name);
      ctx.out(`${name}\n`);
      ctx.err(`Current context is now "${name}"\n`);
      if (process.env.DOCKER_HOST) ctx.err(hostOverrideWarning(`"${name}"`));
    });
}
