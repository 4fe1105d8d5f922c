import type { Command } from 'commander';
import { ApiError } from '../../../api-client/api-error.js';
import { imageRemove } from '../../../api-client/images.js';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { describeError } from '../for-each-target.js';

/** `berth rmi [-f] [--no-prune] IMAGE...`: prints `Untagged:`/`Deleted:` lines. */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('rmi')
    .description('Remove one or more images')
    .usage('[OPTIONS] IMAGE [IMAGE...]')
    .argument('<image...>')
    .option('-f, --force', 'Force removal of the image')
    .option('--no-prune', 'Do not delete untagged parents')
    .action(async (names: string[], o: { force?: boolean; prune: boolean }) => {
      const t = await ctx.transport();
      const errors: string[] = [];
      let fatal = false;
      for (const n of names) {
        try {
          for (const item of (await imageRemove(t, n, { force: o.force, noPrune: !o.prune })) ?? []) {
            if ('Untagged' in item) ctx.out(`Untagged: ${item.Untagged}\n`);
            if ('Deleted' in item) ctx.out(`Deleted: ${item.Deleted}\n`);
          }
        } catch (e) {
          if (!ApiError.isNotFound(e)) fatal = true;
          errors.push(await describeError(e));
        }
      }
      if (!errors.length) return;
      // with -f, images that do not exist are reported but do not fail the command (docker's rmi)
      if (!o.force || fatal) throw new CliError(1, errors.join('\n'));
      ctx.err(`${errors.join('\n')}\n`);
    });
}
