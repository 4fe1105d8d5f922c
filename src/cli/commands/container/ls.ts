import type { Command } from 'commander';
import type { ContainerSummary } from '../../../api/types.js';
import { containerList } from '../../../api-client/containers.js';
import { collect, int } from '../../argv.js';
import type { CliContext } from '../../context.js';
import { PS_HEADERS, PS_TABLE, PS_TABLE_SIZE, containerContext } from '../../format/container-context.js';
import { FORMAT_HELP_TABLE, parseFormat, renderFormat, templateFailure } from '../../format/formatter.js';
import { GoTemplate } from '../../format/go-template.js';
import { parseFilterFlags } from '../prompt.js';

/** Flags of `ps` after parsing. */
export interface PsFlags {
  all?: boolean;
  filter?: string[];
  format?: string;
  last: number;
  latest?: boolean;
  trunc: boolean;
  quiet?: boolean;
  size?: boolean;
}

/** `berth ps` / `berth container ls` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('ps')
    .description('List containers')
    .usage('[OPTIONS]')
    .option('-a, --all', 'Show all containers (default shows just running)')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
    .option('--format <string>', FORMAT_HELP_TABLE)
    .option('-n, --last <int>', 'Show n last created containers (includes all states)', int, -1)
    .option('-l, --latest', 'Show the latest created container (includes all states)')
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only display container IDs')
    .option('-s, --size', 'Display total file sizes')
    .action(async (o: PsFlags) => {
      const limit = o.latest ? 1 : o.last;
      if (o.quiet && o.format) ctx.err('WARNING: Ignoring custom format, because both --format and --quiet are set.\n');
      if (o.format && !o.quiet) checkTemplate(o.format);
      const fmt = o.quiet ? { table: false, template: '{{.ID}}' } : parseFormat(o.format, o.size ? PS_TABLE_SIZE : PS_TABLE);
      const list = await containerList(await ctx.transport(), {
        all: o.all || limit > 0,
        limit,
        size: o.size || (!o.quiet && fmt.template.includes('.Size')),
        filters: parseFilterFlags(o.filter),
      });
      const now = Date.now();
      const rows = list.map((c) => containerContext(c, { trunc: o.trunc, now }));
      ctx.out(renderFormat(fmt, rows, PS_HEADERS, { typeName: '*formatter.ContainerContext', psErrors: true }));
    });
}

const PS_ERRORS = { parse: 'failed to parse template: ', exec: 'failed to execute template: ' };

/**
 * docker runs the format as typed (`table ` and all) on an empty container before listing,
 * to see whether it asks for `.Size`: a bad template fails there, with or without containers,
 * at its place in what the user typed.
 */
function checkTemplate(format: string): void {
  try {
    new GoTemplate(format, {}, { typeName: '*formatter.ContainerContext' }).execute(containerContext({ Id: '', Names: [], Image: '', Command: '', Created: 0, Ports: [], Labels: {}, State: '', Status: '' } as unknown as ContainerSummary, { trunc: true }));
  } catch (e) {
    throw templateFailure(e, PS_ERRORS);
  }
}
