import { createReadStream } from 'node:fs';
import { openError } from '../../opts/output-path.js';
import type { Command } from 'commander';
import { imageLoad } from '../../../api-client/images.js';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { printMessages } from './print-messages.js';

/** `berth load [-i FILE] [-q]`: reads a docker-archive tar from a file or stdin. */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('load')
    .description('Load an image from a tar archive or STDIN')
    .usage('[OPTIONS]')
    .option('-i, --input <string>', 'Read from tar archive file, instead of STDIN')
    .option('--platform <string>', 'Load only the given platform variant')
    .option('-q, --quiet', 'Suppress the load output')
    .action(async (o: { input?: string; quiet?: boolean }) => {
      if (!o.input && ctx.stdin.isTTY) throw new CliError(1, 'requested load from stdin, but stdin is empty');
      const src = o.input ? createReadStream(o.input) : ctx.stdin;
      if (o.input) await new Promise<void>((resolve, reject) => (src as ReturnType<typeof createReadStream>).once('open', () => resolve()).once('error', reject)).catch((e: unknown) => {
          throw new CliError(1, openError(o.input!, e));
        });
      const messages = await imageLoad(await ctx.transport(), src, { quiet: o.quiet });
      await printMessages(ctx, messages);
    });
}
