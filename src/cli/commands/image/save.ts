import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { imageSave } from '../../../api-client/images.js';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { outputPathError } from '../../opts/output-path.js';

/** `berth save [-o FILE] IMAGE...`: never writes a tar to a terminal. */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('save')
    .description('Save one or more images to a tar archive (streamed to STDOUT by default)')
    .usage('[OPTIONS] IMAGE [IMAGE...]')
    .argument('<image...>')
    .option('-o, --output <string>', 'Write to a file, instead of STDOUT')
    .option('--platform <string>', 'Save only the given platform variant')
    .action(async (names: string[], o: { output?: string }) => {
      if (!o.output && ctx.stdout.isTTY) throw new CliError(1, 'Cowardly refusing to save to a terminal. Use the -o flag or redirect');
      const bad = o.output ? outputPathError(o.output, 'stat') : undefined;
      if (bad) throw new CliError(1, `failed to save image: ${bad}`);
      const tar = await imageSave(await ctx.transport(), names);
      if (!o.output) {
        await pipeline(tar, ctx.stdout, { end: false });
        return;
      }
      const tmp = `${o.output}.berth-save-${process.pid}`;
      await pipeline(tar, createWriteStream(tmp));
      await rename(tmp, o.output);
    });
}
