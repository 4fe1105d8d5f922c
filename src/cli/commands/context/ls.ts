import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { FORMAT_HELP_TABLE, parseFormat, renderFormat } from '../../format/formatter.js';
import { goJson } from '../../format/go-template.js';
import { requireArgs } from '../arity.js';
import { currentContextName, defaultContext, hostOverrideWarning, listContexts } from './store.js';

const TABLE = '{{.Name}}{{if .Current}} *{{end}}\t{{.Description}}\t{{.DockerEndpoint}}\t{{.Error}}';
const HEADERS = { Name: 'NAME', Description: 'DESCRIPTION', DockerEndpoint: 'DOCKER ENDPOINT', Error: 'ERROR' };

/** `berth context ls [-q] [--format F]`: the stored contexts and `default`, the current one starred. */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('ls')
    .description('List contexts')
    .usage('[OPTIONS]')
    .argument('[args...]')
    .option('--format <string>', FORMAT_HELP_TABLE)
    .option('-q, --quiet', 'Only show context names')
    .action((args: string[], o: { format?: string; quiet?: boolean }, cmd: Command) => {
      requireArgs(cmd, args, 'none');
      const current = currentContextName(ctx.context);
      const all = [defaultContext(), ...listContexts()].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
      const rows = all.map((c) => {
        const row: Record<string, unknown> = { Current: c.Name === current, Description: c.Metadata.Description ?? '', DockerEndpoint: c.Endpoints.docker?.Host ?? '', Error: '', Name: c.Name };
        // docker marshals its row as a map: keys sorted, HTML escaped
        Object.defineProperty(row, 'toJSON', { value: () => JSON.parse(goJson({ ...row })) as unknown, enumerable: false });
        return row;
      });
      if (o.quiet) ctx.out(rows.map((r) => `${String(r.Name)}\n`).join(''));
      else ctx.out(renderFormat(parseFormat(o.format, TABLE), rows, HEADERS, { typeName: '*formatter.ClientContext' }));
      if (process.env.DOCKER_HOST) ctx.err(hostOverrideWarning());
    });
}
