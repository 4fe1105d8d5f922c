import type { Command } from 'commander';
import { collect } from '../../argv.js';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { shownDefault } from '../../help-default.js';
import { Option } from 'commander';
import { type ContextMeta, checkContextName, currentContextName, dockerEndpoint, mustRead, readContext, writeContext } from './store.js';

/** `berth context create NAME [--docker host=...] [--description D] [--from C]`, stored where docker keeps contexts. */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('create')
    .description(
      'Create a context\n\nDocker endpoint config:\n\nNAME                DESCRIPTION\nfrom                Copy named context\'s Docker endpoint configuration\nhost                Docker endpoint on which to connect\nca                  Trust certs signed only by this CA\ncert                Path to TLS certificate file\nkey                 Path to TLS key file\nskip-tls-verify     Skip TLS certificate validation\n\nExample:\n\n$ berth context create my-context --description "some description" --docker "host=tcp://myserver:2376,ca=~/ca-file,cert=~/cert-file,key=~/key-file"',
    )
    .usage('[OPTIONS] CONTEXT')
    .argument('<context>')
    .option('--description <string>', 'Description of the context')
    .addOption(shownDefault(new Option('--docker <stringToString>', 'set the docker endpoint').argParser(collect), '[]'))
    .option('--from <string>', 'create context from a named context')
    .action((name: string, o: { description?: string; docker?: string[]; from?: string }) => {
      checkContextName(name);
      if (readContext(name)) throw new CliError(1, `context "${name}" already exists`);
      // without --docker the new context copies the source's endpoint (--from, else the current one) and, with no --description, its description
      const source = mustRead(o.from ?? (o.docker ? 'default' : currentContextName(ctx.context)));
      const meta: ContextMeta = {
        Name: name,
        Metadata: {},
        Endpoints: { docker: dockerEndpoint(o.docker, o.docker ? undefined : source.Endpoints.docker) },
      };
      const description = o.description ?? (o.docker ? undefined : source.Metadata.Description);
      if (description) meta.Metadata.Description = description;
      if (!meta.Endpoints.docker) delete meta.Endpoints.docker;
      writeContext(meta);
      ctx.out(`${name}\n`);
      ctx.err(`Successfully created context "${name}"\n`);
    });
}
