import type { Command } from 'commander';
import type { CliContext } from '../../context.js';
import { CliError } from '../../cli-error.js';

/** Builds `berth registry <verb>`: arguments go untouched to the registry's own parser. */
export function registryVerb(parent: Command, ctx: CliContext, verb: 'serve' | 'gc', description: string): Command {
  const cmd = parent
    .command(verb)
    .description(description)
    .usage(verb === 'serve' ? '--root DIR [--listen HOST:PORT] [--htpasswd FILE] [--tls-cert FILE --tls-key FILE] [-q]' : '--root DIR [--dry-run]')
    .argument('[args...]')
    .allowUnknownOption()
    .helpOption(false);
  cmd.action(async (args: string[]) => {
    const { registryCommand } = await import('../../../registry/server/index.js');
    const code = await registryCommand([verb, ...args], (s) => ctx.out(s));
    if (code !== 0) throw new CliError(code);
  });
  return cmd;
}

/** `berth registry serve --root DIR [--listen 127.0.0.1:5000] ...` (in-process distribution registry). */
export function register(parent: Command, ctx: CliContext): Command {
  return registryVerb(parent, ctx, 'serve', 'Serve an OCI distribution registry from a directory');
}
