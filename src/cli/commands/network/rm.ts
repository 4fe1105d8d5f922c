import type { Command } from 'commander';
import { ApiError } from '../../../api-client/api-error.js';
import { networkInspect, networkRemove } from '../../../api-client/networks.js';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { requireArgs } from '../arity.js';
import { describeError } from '../for-each-target.js';
import { confirm } from '../prompt.js';

const INGRESS_WARNING =
  'WARNING! Before removing the routing-mesh network, make sure all the nodes in your swarm run the same docker engine version. ' +
  'Otherwise, removal may not be effective and functionality of newly create ingress networks will be impaired.\nAre you sure you want to continue?';

/**
 * `berth network rm [-f] NETWORK...`: like docker, looks each network up first (an ingress
 * network asks for confirmation), prints removed names on stdout and each failure on stderr
 * as it happens, and ends with `exit status 1` when any failed.
 */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('rm')
    .description('Remove one or more networks')
    .usage('NETWORK [NETWORK...]')
    .argument('[networks...]')
    .option('-f, --force', 'Do not error if the network does not exist')
    .action(async (names: string[], o: { force?: boolean }, cmd: Command) => {
      requireArgs(cmd, names, { min: 1 });
      const t = await ctx.transport();
      let failed = false;
      for (const name of names) {
        const found = await networkInspect(t, name).catch(() => undefined);
        if (found?.Ingress && !(await confirm(ctx, `${INGRESS_WARNING} [y/N] `))) continue;
        try {
          await networkRemove(t, name);
        } catch (e) {
          if (o.force && ApiError.isNotFound(e)) continue;
          ctx.err(`${await describeError(e)}\n`);
          failed = true;
          continue;
        }
        ctx.out(`${name}\n`);
      }
      if (failed) throw new CliError(1, 'exit status 1');
    });
}
