import type { Command } from 'commander';
import { imageTag } from '../../../api-client/images.js';
import type { CliContext } from '../../context.js';

/** `berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]` */
export function register(parent: Command, ctx: CliContext): Command {
  return parent
    .command('tag')
    .description('Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE')
    .usage('SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]')
    .argument('<source>')
    .argument('<target>')
    .action(async (source: string, target: string) => {
      await imageTag(await ctx.transport(), source, target);
    });
}
