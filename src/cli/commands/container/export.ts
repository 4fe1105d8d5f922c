import { createWriteStream } from 'node:fs';
import { outputPathError } from '../../opts/output-path.js';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { containerExport } from '../../../api-client/container-export.js';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';

/** `berth export [-o FILE] CONTAINER`: the container's filesystem as a tar; never to a terminal. */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('export')
    .description("Export a container's filesystem as a tar archive")
    .usage('[OPTIONS] CONTAINER')
    .argument('<container>')
    .option('-o, --output <string>', 'Write to a file, instead of STDOUT')
    .action(async (container: string, o: { output?: string }) => {
      if (!o.output && ctx.stdout.isTTY) throw new CliError(1, 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
      const bad = o.output ? outputPathError(o.output, 'stat') : undefined;
      if (bad) throw new CliError(1, `failed to export container: ${bad}`);
      const tar = await containerExport(await ctx.transport(), container);
      if (!o.output) {
        await pipeline(tar, ctx.stdout, { end: false });
        return;
      }
      const tmp = `${o.output}.berth-export-${process.pid}`;
      try {
        await pipeline(tar, createWriteStream(tmp));
        await rename(tmp, o.output);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
    });
}
