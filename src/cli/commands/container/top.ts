import type { Command } from 'commander';
import { containerTop } from '../../../api-client/container-stats.js';
import type { CliContext } from '../../context.js';
import { tabwrite } from '../../format/tabwriter.js';

/** `berth top CONTAINER [ps OPTIONS]`: the daemon's `ps` table, aligned like docker's (min width 20). */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('top')
    .description('Display the running processes of a container')
    .usage('CONTAINER [ps OPTIONS]')
    .argument('<container>')
    .argument('[ps-options...]')
    .passThroughOptions()
    .action(async (container: string, psArgs: string[]) => {
      const r = await containerTop(await ctx.transport(), container, psArgs);
      ctx.out(topTable(r.Titles ?? [], r.Processes ?? []));
    });
}

/** Titles and processes as docker prints them (tabwriter: min width 20, padding 3). */
export function topTable(titles: string[], processes: string[][]): string {
  const text = [titles, ...processes].map((row) => `${row.join('\t')}\n`).join('');
  return tabwrite(text, 20, 3);
}
