import type { Command } from 'commander';
import type { ImageHistoryItem } from '../../../api/types.js';
import { imageHistory } from '../../../api-client/images.js';
import type { CliContext } from '../../context.js';
import { STRICT } from '../../format/go-template.js';
import { FORMAT_HELP_TABLE, parseFormat, renderFormat } from '../../format/formatter.js';
import { ellipsis, goTimeString, humanDuration, humanSize, shortId } from '../../format/units.js';

const TABLE = '{{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';
const HEADERS = { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT' };

/** The values `history --format` sees for one layer. */
export function historyContext(h: ImageHistoryItem, o: { trunc: boolean; human: boolean; now: number }): Record<string, unknown> {
  const createdBy = (h.CreatedBy ?? '').replace(/\t/g, ' ');
  const ctx: Record<string, unknown> = {
    Comment: h.Comment ?? '',
    CreatedAt: o.human ? goTimeString(h.Created) : new Date(h.Created * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
    CreatedBy: o.trunc ? ellipsis(createdBy, 45) : createdBy,
    CreatedSince: o.human ? `${humanDuration(o.now - h.Created * 1000)} ago` : new Date(h.Created * 1000).toISOString().replace(/\.\d+Z$/, 'Z'),
    ID: h.Id === '<missing>' ? h.Id : o.trunc ? shortId(h.Id) : h.Id,
    Size: o.human ? humanSize(h.Size) : String(h.Size),
  };
  Object.defineProperty(ctx, STRICT, { value: true, enumerable: false });
  return ctx;
}

/** `berth history [--no-trunc] [-q] [--format F] [-H] IMAGE` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('history')
    .description('Show the history of an image')
    .usage('[OPTIONS] IMAGE')
    .argument('<image>')
    .option('--format <string>', FORMAT_HELP_TABLE)
    .option('-H, --human', 'Print sizes and dates in human readable format', true)
    .option('--no-human', 'Print raw sizes and dates')
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only show image IDs')
    .action(async (name: string, o: { format?: string; human: boolean; trunc: boolean; quiet?: boolean }) => {
      const items = await imageHistory(await ctx.transport(), name);
      const now = Date.now();
      const rows = items.map((h) => historyContext(h, { trunc: o.trunc, human: o.human !== false, now }));
      const fmt = o.quiet ? { table: false, template: '{{.ID}}' } : parseFormat(o.format, TABLE);
      ctx.out(renderFormat(fmt, rows, o.human === false ? { ...HEADERS, CreatedSince: 'CREATED AT' } : HEADERS, { typeName: '*image.historyContext' }));
    });
}
