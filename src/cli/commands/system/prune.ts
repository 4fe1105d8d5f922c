import type { Command } from 'commander';
import { ApiError } from '../../../api-client/api-error.js';
import { containerPrune } from '../../../api-client/containers.js';
import { buildCachePrune } from '../../../api-client/disk-usage.js';
import { imagePrune } from '../../../api-client/images.js';
import { networkPrune } from '../../../api-client/networks.js';
import type { Transport } from '../../../api-client/transport.js';
import { volumePrune } from '../../../api-client/volumes.js';
import { CliError } from '../../cli-error.js';
import type { CliContext } from '../../context.js';
import { naturalCompare } from '../../format/natural-sort.js';
import { humanSize } from '../../format/units.js';
import { requireArgs } from '../arity.js';
import { filterFlag } from '../network/filter-flag.js';
import { confirm } from '../prompt.js';

/** Flags of `system prune` after parsing. */
export interface SystemPruneFlags {
  all?: boolean;
  filter?: Record<string, string[]>;
  force?: boolean;
  volumes?: boolean;
}

/**
 * `berth system prune [-a] [--volumes] [-f] [--filter k=v]`, as docker's: one prompt listing
 * what goes, then containers, networks, (anonymous volumes,) images and build cache pruned in
 * that order, each one's list printed, and the total reclaimed space.
 */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('prune')
    .description('Remove unused data')
    .usage('[OPTIONS]')
    .argument('[args...]')
    .option('-a, --all', 'Remove all unused images not just dangling ones')
    .option('--filter <filter>', 'Provide filter values (e.g. "label=<key>=<value>")', filterFlag('--filter'))
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--volumes', 'Prune anonymous volumes')
    .action(async (args: string[], o: SystemPruneFlags, cmd: Command) => {
      requireArgs(cmd, args, 'none');
      if (o.volumes && o.filter?.until) throw new CliError(1, 'ERROR: The "until" filter is not supported with "--volumes"');
      if (!o.force && !(await confirm(ctx, `${confirmationMessage(o)} [y/N] `))) return;
      const t = await ctx.transport();
      let reclaimed = 0;
      for (const step of pruneSteps(t, o)) {
        const [space, output] = await step();
        reclaimed += space;
        if (output) ctx.out(`${output}\n`);
      }
      ctx.out(`Total reclaimed space: ${humanSize(reclaimed, 4)}\n`);
    });
}

/** docker's confirmation text (its template, rendered), without the ` [y/N] ` suffix. */
export function confirmationMessage(o: SystemPruneFlags): string {
  const warnings = ['all stopped containers', 'all networks not used by at least one container'];
  if (o.volumes) warnings.push('all anonymous volumes not used by at least one container');
  warnings.push(o.all ? 'all images without at least one container associated to them' : 'all dangling images');
  warnings.push(o.all ? 'all build cache' : 'unused build cache');
  const filters: string[] = [];
  for (const name of ['label', 'label!', 'until']) for (const v of o.filter?.[name] ?? []) filters.push(`${name}=${v}`);
  filters.sort(naturalCompare);
  let text = `WARNING! This will remove:${warnings.map((w) => `\n  - ${w}`).join('')}\n`;
  if (filters.length) text += `\n  Items to be pruned will be filtered with:${filters.map((f) => `\n  - ${f}`).join('')}\n`;
  return `${text}\nAre you sure you want to continue?`;
}

type Step = () => Promise<[number, string]>;

function pruneSteps(t: Transport, o: SystemPruneFlags): Step[] {
  const filter = o.filter ?? {};
  const list = (title: string, items: string[]): string => (items.length ? `${title}\n${items.map((i) => `${i}\n`).join('')}` : '');
  const steps: Step[] = [
    async () => {
      const r = await containerPrune(t, filter);
      const ids = r.ContainersDeleted ?? [];
      return [ids.length ? r.SpaceReclaimed ?? 0 : 0, list('Deleted Containers:', ids)];
    },
    async () => {
      const r = await networkPrune(t, filter);
      return [0, list('Deleted Networks:', r.NetworksDeleted ?? [])];
    },
  ];
  if (o.volumes) {
    steps.push(async () => {
      const r = await volumePrune(t, filter);
      const names = r.VolumesDeleted ?? [];
      return [names.length ? r.SpaceReclaimed ?? 0 : 0, list('Deleted Volumes:', names)];
    });
  }
  steps.push(async () => {
    const r = await imagePrune(t, { ...filter, dangling: [String(!o.all)] });
    const items = r.ImagesDeleted ?? [];
    const lines = items.map((i) => (i.Untagged ? `untagged: ${i.Untagged}` : `deleted: ${i.Deleted}`));
    return [items.length ? r.SpaceReclaimed ?? 0 : 0, list('Deleted Images:', lines)];
  });
  steps.push(async () => {
    try {
      const r = await buildCachePrune(t, { all: o.all, filters: filter });
      const ids = r.CachesDeleted ?? [];
      return [r.SpaceReclaimed ?? 0, list('Deleted build cache objects:', ids)];
    } catch (e) {
      // A daemon without a build cache endpoint has no build cache to prune.
      if (ApiError.isNotFound(e)) return [0, ''];
      throw e;
    }
  });
  return steps;
}
