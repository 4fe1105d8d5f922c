import type { Command } from 'commander';
import { Option } from 'commander';
import { collect } from '../../argv.js';
import type { CliContext } from '../../context.js';
import { shownDefault } from '../../help-default.js';
import { checkContextName, dockerEndpoint, mustRead, writeContext } from './store.js';

/** `berth context update NAME [--docker ...] [--description D]` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('update')
    .description('Update a context')
    .usage('[OPTIONS] CONTEXT')
    .argument('<context>')
    .option('--description <string>', 'Description of the context')
    .addOption(shownDefault(new Option('--docker <stringToString>', 'set the docker endpoint').argParser(collect), '[]'))
    .action((name: string, o: { description?: string; docker?: string[] }) => {
      checkContextName(name);
      const meta = mustRead(name);
      if (o.description !== undefined) meta.Metadata.Description = o.description;
      if (o.docker) meta.Endpoints.docker = dockerEndpoint(o.docker, meta.Endpoints.docker);
      writeContext(meta);
      ctx.out(`${name}\n`);
      ctx.err(`Successfully updated context "${name}"\n`);
    });
}
