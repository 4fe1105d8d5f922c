import type { Command } from 'commander';
import { containerChanges } from '../../../api-client/container-archive.js';
import type { CliContext } from '../../context.js';

const KIND = ['C', 'A', 'D'];

/** `berth diff CONTAINER`: `A|C|D /path` per change, in the daemon's order. */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('diff')
    .description("Inspect changes to files or directories on a container's filesystem")
    .usage('CONTAINER')
    .argument('<container>')
    .action(async (name: string) => {
      const rows = await containerChanges(await ctx.transport(), name);
      ctx.out(rows.map((r) => `${KIND[r.Kind] ?? '?'} ${r.Path}\n`).join(''));
    });
}
