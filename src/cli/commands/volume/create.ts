import type { Command } from 'commander';
import { volumeCreate } from '../../../api-client/volumes.js';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { kvMap, listFlag, mapFlag, validateLabel } from '../../opts/validators.js';
import { requireArgs } from '../arity.js';

/** `berth volume create [-d DRIVER] [-o k=v] [--label k=v] [VOLUME]`: prints the volume's name. */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('create')
    .description('Create a volume')
    .usage('[OPTIONS] [VOLUME]')
    .argument('[args...]')
    .option('-d, --driver <string>', 'Specify volume driver name', 'local')
    .option('--label <list>', 'Set metadata for a volume', listFlag('--label', validateLabel))
    .option('--name <string>', 'Specify volume name')
    .option('-o, --opt <map>', 'Set driver specific options', mapFlag())
    .action(async (args: string[], o: { driver: string; label?: string[]; name?: string; opt?: Record<string, string> }, cmd: Command) => {
      requireArgs(cmd, args, { max: 1 });
      let name = o.name ?? '';
      if (args.length === 1) {
        if (name !== '') throw new CliError(1, 'conflicting options: cannot specify a volume-name through both --name and as a positional arg');
        name = args[0]!;
      }
      const v = await volumeCreate(await ctx.transport(), { Driver: o.driver, DriverOpts: o.opt ?? {}, Name: name, Labels: kvMap(o.label) });
      ctx.out(`${v.Name}\n`);
    });
}
