import { createReadStream } from 'node:fs';
import { openError } from '../../opts/output-path.js';
import { CliError } from '../../cli-error.js';
import type { Command } from 'commander';
import { imageImport } from '../../../api-client/images.js';
import { collect } from '../../argv.js';
import type { CliContext } from '../../context.js';
import { printMessages } from './print-messages.js';

/** `berth import [-c CHANGE] [-m MSG] file|- [REPOSITORY[:TAG]]` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('import')
    .description('Import the contents from a tarball to create a filesystem image')
    .usage('[OPTIONS] file|URL|- [REPOSITORY[:TAG]]')
    .argument('<file>')
    .argument('[reference]')
    .option('-c, --change <list>', 'Apply Dockerfile instruction to the created image', collect)
    .option('-m, --message <string>', 'Set commit message for imported image')
    .option('--platform <string>', 'Set platform if server is multi-platform capable')
    .action(async (file: string, reference: string | undefined, o: { change?: string[]; message?: string; platform?: string }) => {
      if (/^https?:\/\//.test(file)) throw new Error('importing from a URL is not supported by berth');
      const src = file === '-' ? ctx.stdin : createReadStream(file);
      if (file !== '-') await new Promise<void>((resolve, reject) => (src as ReturnType<typeof createReadStream>).once('open', () => resolve()).once('error', reject)).catch((e: unknown) => {
          throw new CliError(1, openError(file, e));
        });
      const messages = await imageImport(await ctx.transport(), src, { reference, message: o.message, changes: o.change, platform: o.platform });
      await printMessages(ctx, messages);
    });
}
