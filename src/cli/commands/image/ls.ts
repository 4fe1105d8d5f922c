import type { Command } from 'commander';
import { imageList } from '../../../api-client/images.js';
import { collect } from '../../argv.js';
import type { CliContext } from '../../context.js';
import { FORMAT_HELP_TABLE, parseFormat, renderFormat } from '../../format/formatter.js';
import { IMAGES_HEADERS, IMAGES_TABLE, IMAGES_TABLE_DIGESTS, imageContexts } from '../../format/image-context.js';
import { parseFilterFlags } from '../prompt.js';

/** `berth images [REPOSITORY[:TAG]]` / `berth image ls` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('images')
    .description('List images')
    .usage('[OPTIONS] [REPOSITORY[:TAG]]')
    .argument('[repository]')
    .option('-a, --all', 'Show all images (default hides intermediate images)')
    .option('--digests', 'Show digests')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
    .option('--format <string>', FORMAT_HELP_TABLE)
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only show image IDs')
    .action(async (repo: string | undefined, o: { all?: boolean; digests?: boolean; filter?: string[]; format?: string; trunc: boolean; quiet?: boolean }) => {
      const filters = parseFilterFlags(o.filter) ?? {};
      if (repo) (filters.reference ??= []).push(repo);
      const list = await imageList(await ctx.transport(), { all: o.all, digests: o.digests, filters });
      if (o.quiet && o.format) ctx.err('WARNING: Ignoring custom format, because both --format and --quiet are set.\n');
      if (o.quiet) {
        const ids = list.flatMap((img) => imageContexts(img, { trunc: o.trunc, digests: false }).map((r) => r.ID as string));
        ctx.out(ids.map((id) => `${id}\n`).join(''));
        return;
      }
      const fmt = parseFormat(o.format, o.digests ? IMAGES_TABLE_DIGESTS : IMAGES_TABLE);
      const now = Date.now();
      const rows = list.flatMap((img) => imageContexts(img, { trunc: o.trunc, digests: !!o.digests, now }));
      ctx.out(renderFormat(fmt, rows, IMAGES_HEADERS, { typeName: '*formatter.imageContext' }));
    });
}
