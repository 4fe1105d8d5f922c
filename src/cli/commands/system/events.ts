import type { Command } from 'commander';
import { type EventMessage, events } from '../../../api-client/system.js';
import { collect } from '../../argv.js';
import type { CliContext } from '../../context.js';
import { GoTemplate } from '../../format/go-template.js';
import { parseFilterFlags } from '../prompt.js';
import { toUnix } from '../container/logs.js';

/** docker's default event line: `2024-01-02T03:04:05.000000000Z container start <id> (image=busybox, name=x)`. */
export function eventLine(e: EventMessage): string {
  const nanos = BigInt(e.timeNano ?? e.time * 1e9);
  const secs = Number(nanos / 1_000_000_000n);
  const frac = String(nanos % 1_000_000_000n).padStart(9, '0');
  const stamp = `${new Date(secs * 1000).toISOString().slice(0, 19)}.${frac}Z`;
  const attrs = Object.keys(e.Actor?.Attributes ?? {}).sort().map((k) => `${k}=${e.Actor.Attributes[k]}`);
  return `${stamp} ${e.Type} ${e.Action} ${e.Actor?.ID ?? ''}${attrs.length ? ` (${attrs.join(', ')})` : ''}`;
}

/** `berth events [--since T] [--until T] [-f k=v] [--format F]` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('events')
    .description('Get real time events from the server')
    .usage('[OPTIONS]')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
    .option('--format <string>', "Format output using a custom template:\n'json' or 'TEMPLATE'")
    .option('--since <string>', 'Show all events created since timestamp')
    .option('--until <string>', 'Stream events until this timestamp')
    .action(async (o: { filter?: string[]; format?: string; since?: string; until?: string }) => {
      const stream = await events(await ctx.transport(), { since: toUnix(o.since), until: toUnix(o.until), filters: parseFilterFlags(o.filter) });
      const tmpl = o.format ? new GoTemplate(o.format === 'json' ? '{{json .}}' : o.format) : undefined;
      for await (const e of stream) ctx.out(`${tmpl ? tmpl.execute(e) : eventLine(e)}\n`);
    });
}
