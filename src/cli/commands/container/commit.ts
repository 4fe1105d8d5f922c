import { Option, type Command } from 'commander';
import { containerCommit } from '../../../api-client/container-commit.js';
import { collect } from '../../argv.js';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { referenceError } from '../image/tag.js';

/** `berth commit [-a AUTHOR] [-c CHANGE]... [-m MSG] [-p=false] CONTAINER [REPOSITORY[:TAG]]`: prints the new image's ID. */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('commit')
    .description("Create a new image from a container's changes")
    .usage('[OPTIONS] CONTAINER [REPOSITORY[:TAG]]')
    .argument('<container>')
    .argument('[reference]')
    .option('-a, --author <string>', 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")')
    .option('-c, --change <list>', 'Apply Dockerfile instruction to the created image', collect)
    .option('-m, --message <string>', 'Commit message')
    .option('-p, --pause', 'Pause container during commit', true)
    .addOption(new Option('--no-pause').hideHelp())
    .action(async (container: string, reference: string | undefined, o: { author?: string; change?: string[]; message?: string; pause: boolean }) => {
      const bad = reference ? referenceError(reference) : undefined;
      if (bad) throw new CliError(1, bad);
      const id = await containerCommit(await ctx.transport(), container, {
        reference,
        author: o.author,
        comment: o.message,
        changes: o.change,
        pause: o.pause,
      });
      ctx.out(`${id}\n`);
    });
}
