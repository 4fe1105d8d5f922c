import type { Command } from 'commander';
import { type EventMessage, events } from '../../../api-client/system.js';
import { collect } from '../../argv.js';
import type { CliContext } from '../../context.js';
import { CliError } from '../../cli-error.js';
import { GoTemplate, STRICT, TemplateError } from '../../format/go-template.js';
import { parseFilterFlags } from '../prompt.js';
import { toUnix } from '../container/logs.js';
import { FORMAT_HELP_JSON } from '../../format/formatter.js';

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
    .option('--format <string>', FORMAT_HELP_JSON)
    .option('--since <string>', 'Show all events created since timestamp')
    .option('--until <string>', 'Stream events until this timestamp')
    .action(async (o: { filter?: string[]; format?: string; since?: string; until?: string }) => {
      let tmpl: GoTemplate | undefined;
      if (o.format) {
        // docker checks the template on an empty message before it asks for events
        try {
          tmpl = new GoTemplate(o.format === 'json' ? '{{json .}}' : o.format, {}, { typeName: '*events.Message' });
          tmpl.execute(messageView({} as EventMessage));
        } catch (e) {
          throw e instanceof TemplateError ? new CliError(64, `Error parsing format: ${e.message}`) : e;
        }
      }
      const stream = await events(await ctx.transport(), { since: toUnix(o.since), until: toUnix(o.until), filters: parseFilterFlags(o.filter) });
      for await (const e of stream) ctx.out(`${tmpl ? tmpl.execute(messageView(e)) : eventLine(e)}\n`);
    });
}

/** An event as docker's typed events.Message: Go field names beside the JSON ones (for templates only), unknown fields are errors. */
function messageView(e: EventMessage): unknown {
  const raw = e as unknown as Record<string, unknown>;
  const actor: Record<string, unknown> = { ID: e.Actor?.ID ?? '', Attributes: e.Actor?.Attributes ?? {} };
  Object.defineProperty(actor, STRICT, { value: 'events.Actor', enumerable: false });
  const view: Record<string, unknown> = { ...raw, Type: raw.Type ?? '', Action: raw.Action ?? '', Actor: actor };
  const aliases: [string, string, unknown][] = [['Status', 'status', ''], ['ID', 'id', ''], ['From', 'from', ''], ['Scope', 'scope', ''], ['Time', 'time', 0], ['TimeNano', 'timeNano', 0]];
  for (const [goName, json, zero] of aliases) Object.defineProperty(view, goName, { value: raw[json] ?? zero, enumerable: false });
  Object.defineProperty(view, STRICT, { value: '*events.Message', enumerable: false });
  return view;
}
