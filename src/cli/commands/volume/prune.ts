import type { Command } from 'commander';
import { compareVersions } from '../../../api-client/transport.js';
import { volumePrune } from '../../../api-client/volumes.js';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { humanSize } from '../../format/units.js';
import { requireArgs } from '../arity.js';
import { filterFlag } from '../network/filter-flag.js';
import { confirm } from '../prompt.js';

const ANONYMOUS = 'WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] ';
const ALL = 'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] ';

/**
 * `berth volume prune [-a] [-f] [--filter k=v]`: from API 1.42 only anonymous volumes unless
 * `--all` (sent as the `all` filter); older daemons remove every unused volume.
 */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('prune')
    .description('Remove unused local volumes')
    .usage('[OPTIONS]')
    .argument('[args...]')
    .option('-a, --all', 'Remove all unused volumes, not just anonymous ones')
    .option('--filter <filter>', 'Provide filter values (e.g. "label=<label>")', filterFlag('--filter'))
    .option('-f, --force', 'Do not prompt for confirmation')
    .action(async (args: string[], o: { all?: boolean; filter?: Record<string, string[]>; force?: boolean }, cmd: Command) => {
      requireArgs(cmd, args, 'none');
      const t = await ctx.transport();
      const filters = { ...(o.filter ?? {}) };
      let warning = ANONYMOUS;
      if (compareVersions(await t.apiVersion(), '1.42') >= 0) {
        if (o.all) {
          if (filters.all) throw new CliError(1, 'conflicting options: cannot specify both --all and --filter all=1');
          filters.all = ['true'];
          warning = ALL;
        }
      } else {
        if (o.all) throw new CliError(1, `"--all" requires API version 1.42, but the Docker daemon API version is ${await t.apiVersion()}`);
        warning = ALL;
      }
      if (!o.force && !(await confirm(ctx, warning))) return;
      const r = await volumePrune(t, filters);
      const names = r.VolumesDeleted ?? [];
      let out = '';
      if (names.length) out += `Deleted Volumes:\n${names.map((n) => `${n}\n`).join('')}\n`;
      out += `Total reclaimed space: ${humanSize(names.length ? r.SpaceReclaimed : 0, 4)}\n`;
      ctx.out(out);
    });
}
