import type { Command } from 'commander';
import { containerRemove } from '../../../api-client/containers.js';
import type { CliContext } from '../../context.js';
import { forEachTarget } from '../for-each-target.js';

/** `berth rm [-f] [-v] CONTAINER...` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('rm')
    .description('Remove one or more containers')
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .argument('<container...>')
    .option('-f, --force', 'Force the removal of a running container (uses SIGKILL)')
    .option('-l, --link', 'Remove the specified link')
    .option('-v, --volumes', 'Remove anonymous volumes associated with the container')
    .action(async (names: string[], o: { force?: boolean; link?: boolean; volumes?: boolean }) => {
      const t = await ctx.transport();
      await forEachTarget(ctx, names, (n) => containerRemove(t, n, { force: o.force, volumes: o.volumes, link: o.link }));
    });
}
