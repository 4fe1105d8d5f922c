import type { Command } from 'commander';
import { ApiError } from '../../../api-client/api-error.js';
import { containerInspect } from '../../../api-client/containers.js';
import { imageInspect } from '../../../api-client/images.js';
import { networkInspectRaw } from '../../../api-client/networks.js';
import { volumeInspectRaw } from '../../../api-client/volumes.js';
import type { CliContext } from '../../context.js';
import { inspectAll } from './inspect-all.js';
import { FORMAT_HELP_JSON } from '../../format/formatter.js';

/** `berth inspect [-f FORMAT] [--type container|image] NAME...`: containers first, then images. */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('inspect')
    .description('Return low-level information on Docker objects')
    .usage('[OPTIONS] NAME|ID [NAME|ID...]')
    .argument('<name...>')
    .option('-f, --format <string>', FORMAT_HELP_JSON)
    .option('-s, --size', 'Display total file sizes if the type is container')
    .option('--type <string>', 'Only inspect objects of the given type')
    .action(async (names: string[], o: { format?: string; size?: boolean; type?: string }) => {
      const t = await ctx.transport();
      if (o.type && !['container', 'image', 'volume', 'network'].includes(o.type)) throw new Error(`unknown type: "${o.type}": must be one of "config", "container", "image", "network", "node", "plugin", "secret", "service", "task", "volume"`);
      if (o.type === 'volume' || o.type === 'network') {
        const raw = o.type === 'volume' ? (n: string) => volumeInspectRaw(t, n) : (n: string) => networkInspectRaw(t, n);
        await inspectAll(ctx, names, o.format, async (n) => JSON.parse((await raw(n)).toString('utf8')) as unknown, 'daemon');
        return;
      }
      const get = async (n: string): Promise<unknown> => {
        if (o.type !== 'image') {
          try {
            return await containerInspect(t, n, { size: o.size });
          } catch (e) {
            if (!ApiError.isNotFound(e) || o.type === 'container') throw e;
          }
        }
        return imageInspect(t, n);
      };
      // with --type the daemon's own "No such ..." is printed
      await inspectAll(ctx, names, o.format, get, o.type ? 'daemon' : 'Error: No such object');
    });
}
