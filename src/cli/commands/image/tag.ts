import type { Command } from 'commander';
import { imageTag } from '../../../api-client/images.js';
import { CliError } from '../../cli-error.js';
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
      const bad = referenceError(target);
      if (bad) throw new CliError(1, `Error parsing reference: ${JSON.stringify(target)} is not a valid repository/tag: ${bad}`);
      await imageTag(await ctx.transport(), source, target);
    });
}

/**
 * What docker's client finds wrong with a target reference before it asks the daemon
 * (distribution/reference's ParseNormalizedNamed), or undefined.
 */
export function referenceError(ref: string): string | undefined {
  const at = ref.indexOf('@');
  const named = at < 0 ? ref : ref.slice(0, at);
  const slash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  const name = colon > slash ? named.slice(0, colon) : named;
  const tag = colon > slash ? named.slice(colon + 1) : undefined;
  if (name === '' || (tag !== undefined && !/^[\w][\w.-]{0,127}$/.test(tag))) return 'invalid reference format';
  const first = name.split('/')[0]!;
  const hasDomain = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  const path = hasDomain ? name.slice(first.length + 1) : name.includes('/') ? name : `library/${name}`;
  if (path !== path.toLowerCase()) return `invalid reference format: repository name (${path}) must be lowercase`;
  if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(path)) return 'invalid reference format';
  return undefined;
}
