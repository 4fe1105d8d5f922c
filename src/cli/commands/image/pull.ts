import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { pullImage, withDefaultTag } from '../container/create-container.js';

/** `berth pull [--platform P] [-q] NAME[:TAG|@DIGEST]` (POST /images/create?fromImage=). */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('pull')
    .description('Download an image from a registry')
    .usage('[OPTIONS] NAME[:TAG|@DIGEST]')
    .argument('<name>')
    .option('-a, --all-tags', 'Download all tagged images in the repository')
    .option('--platform <string>', 'Set platform if server is multi-platform capable')
    .option('-q, --quiet', 'Suppress verbose output')
    .action(async (name: string, o: { platform?: string; quiet?: boolean }) => {
      const ref = withDefaultTag(name);
      if (!name.includes(':') && !name.includes('@') && !o.quiet) ctx.out('Using default tag: latest\n');
      const quietCtx = { ...ctx, err: o.quiet ? () => undefined : ctx.out };
      await pullImage(quietCtx, await ctx.transport(), ref, o.platform);
      ctx.out(o.quiet ? `${ref.includes('/') ? ref : `docker.io/library/${ref}`}\n` : '');
    });
}
