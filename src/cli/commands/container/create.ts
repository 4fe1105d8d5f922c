import type { Command } from 'commander';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { describeError } from '../for-each-target.js';
import { createContainer } from './create-container.js';
import { type CreateFlags, addCreateFlags, buildCreateRequest } from './create-flags.js';

/** `berth create [OPTIONS] IMAGE [COMMAND] [ARG...]`: prints the new container's full id. */
export function register(parent: Command, ctx: CliContext): Command {
  const cmd = parent
    .command('create')
    .description('Create a new container')
    .usage('[OPTIONS] IMAGE [COMMAND] [ARG...]')
    .argument('<image>')
    .argument('[command...]')
    .passThroughOptions();
  addCreateFlags(cmd);
  // docker's own text for create (typo included)
  const pull = cmd.options.find((o) => o.long === '--pull');
  if (pull) pull.description = 'Pull image before creating ("always", "|missing", "never")';
  return cmd.action(async (image: string, args: string[], f: CreateFlags) => {
    const plan = buildCreateRequest(image, args, f, false);
    let id: string;
    try {
      id = await createContainer(ctx, await ctx.transport(), plan, f.pull, { quiet: f.quiet, cidfile: f.cidfile });
    } catch (e) {
      // Past flag parsing, docker create reports plainly with exit 1 (run says `docker: ...`, 125).
      if (e instanceof CliError) throw e;
      throw new CliError(1, await describeError(e));
    }
    ctx.out(`${id}\n`);
  });
}
